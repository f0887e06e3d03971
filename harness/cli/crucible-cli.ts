#!/usr/bin/env node
/** `crucible`: the harness's command line. */
import { Command } from 'commander';
import { benchCommand } from './bench-command.js';
import { checkCommand, reportCommand } from './check-command.js';
import { connectToCluster } from './cluster-connector.js';
import { faultCommand } from './fault-command.js';
import { loadCommand } from './load-command.js';
import { runCommand } from './run-command.js';
import { toxiproxyCommand } from './toxiproxy-command.js';
import { validateCommand } from './validate-command.js';
import { versionLine } from './version-line.js';
import { downCommand, kubeconfigCommand, logsCommand, lsCommand, upCommand } from './cluster-commands.js';

const program = new Command('crucible')
  .description('Chaos and conformance test harness with a bundled Kubernetes-architecture orchestrator')
  .showHelpAfterError()
  // Worked out only when asked (it asks git for the commit).
  .option('-V, --version', 'print the version (and the commit, in a git checkout) and exit')
  .on('option:version', () => {
    process.stdout.write(`${versionLine()}\n`);
    process.exit(0);
  })
  .addCommand(runCommand())
  .addCommand(validateCommand())
  .addCommand(checkCommand())
  .addCommand(reportCommand())
  .addCommand(upCommand())
  .addCommand(downCommand())
  .addCommand(lsCommand())
  .addCommand(kubeconfigCommand())
  .addCommand(logsCommand())
  .addCommand(benchCommand())
  .addCommand(loadCommand(connectToCluster))
  .addCommand(faultCommand())
  .addCommand(toxiproxyCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`crucible: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
});
