#!/usr/bin/env node
/**
 * `orchestrator <component> [flags]`: one binary for every component of the bundled
 * orchestrator, as hyperkube once was. Flags follow the upstream components' names.
 */
import { Command } from 'commander';
import { packageVersion } from '../api/package-version.js';
import { apiserverCommand } from './apiserver-command.js';
import { cloudControllerManagerCommand } from './cloud-controller-manager-command.js';
import { controllerManagerCommand } from './controller-manager-command.js';
import { kubeletCommand } from './kubelet-command.js';
import { kubeProxyCommand } from './kube-proxy-command.js';
import { loadBalancerCommand } from './load-balancer-command.js';
import { schedulerCommand } from './scheduler-command.js';

const program = new Command('orchestrator')
  .description("crucible's bundled orchestrator: Kubernetes' architecture, one component per process")
  .showHelpAfterError()
  // Read only when asked, so a component starts even where no package.json is found.
  .option('-V, --version', 'print the version and exit')
  .on('option:version', () => {
    process.stdout.write(`orchestrator ${packageVersion()}\n`);
    process.exit(0);
  })
  .addCommand(apiserverCommand())
  .addCommand(controllerManagerCommand())
  .addCommand(schedulerCommand())
  .addCommand(kubeletCommand())
  .addCommand(kubeProxyCommand())
  .addCommand(cloudControllerManagerCommand())
  .addCommand(loadBalancerCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`orchestrator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
