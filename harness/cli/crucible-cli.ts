#!/usr/bin/env node
/** `crucible`: the harness's command line. */
import { Command } from 'commander';
import { versionLine } from './version-line.js';

/**
 * Each subcommand, loaded only when it is the one asked for (or for the help that lists them
 * all): `crucible validate` need not load what boots clusters, so it answers in well under a second.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  init: async () => (await import('./init-command.js')).initCommand(),
  run: async () => (await import('./run-command.js')).runCommand(),
  validate: async () => (await import('./validate-command.js')).validateCommand(),
  check: async () => (await import('./check-command.js')).checkCommand(),
  report: async () => (await import('./check-command.js')).reportCommand(),
  up: async () => (await import('./cluster-commands.js')).upCommand(),
  down: async () => (await import('./cluster-commands.js')).downCommand(),
  ls: async () => (await import('./cluster-commands.js')).lsCommand(),
  kubeconfig: async () => (await import('./cluster-commands.js')).kubeconfigCommand(),
  logs: async () => (await import('./cluster-commands.js')).logsCommand(),
  bench: async () => (await import('./bench-command.js')).benchCommand(),
  load: async () => {
    const [{ loadCommand }, { connectToCluster }] = await Promise.all([
      import('./load-command.js'),
      import('./cluster-connector.js'),
    ]);
    return loadCommand(connectToCluster);
  },
  fault: async () => (await import('./fault-command.js')).faultCommand(),
  toxiproxy: async () => (await import('./toxiproxy-command.js')).toxiproxyCommand(),
};

const program = new Command('crucible')
  .description('Chaos and conformance test harness with a bundled Kubernetes-architecture orchestrator')
  .showHelpAfterError()
  // Worked out only when asked (it asks git for the commit).
  .option('-V, --version', 'print the version (and the commit, in a git checkout) and exit')
  .on('option:version', () => {
    process.stdout.write(`${versionLine()}\n`);
    process.exit(0);
  });

try {
  const asked = process.argv[2];
  const names = asked !== undefined && Object.hasOwn(COMMANDS, asked) ? [asked] : Object.keys(COMMANDS);
  for (const name of names) program.addCommand(await COMMANDS[name]!());
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`crucible: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}
