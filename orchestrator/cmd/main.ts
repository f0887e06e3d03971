#!/usr/bin/env node
/**
 * `orchestrator <component> [flags]`: one binary for every component of the bundled
 * orchestrator, as hyperkube once was. Flags follow the upstream components' names.
 */
import { Command } from 'commander';
import { packageVersion } from '../api/package-version.js';

/**
 * Each component's command, loaded only when asked for. Loading every component's code took
 * about 1 s of CPU per process, and a cluster boots ten of them at once on the same cores; a
 * kubelet alone loads in half that.
 */
const COMPONENTS: Record<string, () => Promise<Command>> = {
  apiserver: async () => (await import('./apiserver-command.js')).apiserverCommand(),
  'controller-manager': async () =>
    (await import('./controller-manager-command.js')).controllerManagerCommand(),
  scheduler: async () => (await import('./scheduler-command.js')).schedulerCommand(),
  kubelet: async () => (await import('./kubelet-command.js')).kubeletCommand(),
  'kube-proxy': async () => (await import('./kube-proxy-command.js')).kubeProxyCommand(),
  'cloud-controller-manager': async () =>
    (await import('./cloud-controller-manager-command.js')).cloudControllerManagerCommand(),
  'load-balancer': async () => (await import('./load-balancer-command.js')).loadBalancerCommand(),
};

async function main(argv: string[]): Promise<void> {
  const program = new Command('orchestrator')
    .description("crucible's bundled orchestrator: Kubernetes' architecture, one component per process")
    .showHelpAfterError()
    // Read only when asked, so a component starts even where no package.json is found.
    .option('-V, --version', 'print the version and exit')
    .on('option:version', () => {
      process.stdout.write(`orchestrator ${packageVersion()}\n`);
      process.exit(0);
    });
  // A component named: only its code. Anything else (help, a typo): all of them, to list them.
  const named = argv[2];
  const wanted = named !== undefined && named in COMPONENTS ? [named] : Object.keys(COMPONENTS);
  for (const name of wanted) program.addCommand(await COMPONENTS[name]!());
  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  process.stderr.write(`orchestrator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
