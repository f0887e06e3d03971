import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemberProgram } from './cluster-plan.js';
import { ClusterError } from './cluster-error.js';
import { etcdBinary } from './etcd-command.js';

/**
 * A built entry point of this project. From dist/ it sits beside this file's tree; run from
 * source (tests under tsx) it is the build in dist/ at the repository root.
 */
function builtEntryPoint(pathInDist: string): string {
  return fileURLToPath(
    new URL(
      import.meta.url.includes('/dist/') ? `../../${pathInDist}` : `../../dist/${pathInDist}`,
      import.meta.url,
    ),
  );
}

/** The repository root: dist/, package.json and node_modules/ (what the node image is built from). */
export const PROJECT_ROOT = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url),
);

/** `orchestrator`, the bundled orchestrator's one binary. */
export const ORCHESTRATOR_MAIN = builtEntryPoint('orchestrator/cmd/main.js');
/** `crucible`, the harness's command line (it also runs the bundled Toxiproxy server). */
export const CRUCIBLE_CLI = builtEntryPoint('harness/cli/crucible-cli.js');
/** The reaper that removes a cluster once its owner is gone (see cluster-reaper.ts). */
export const CRUCIBLE_REAPER = builtEntryPoint('harness/cluster/reaper-main.js');

/**
 * Extra Node.js arguments for orchestrator components started as processes, from
 * CRUCIBLE_COMPONENT_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them).
 */
export function componentNodeArgs(): string[] {
  return (process.env.CRUCIBLE_COMPONENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** The command line of a cluster member run on this host. */
export function hostCommand(program: MemberProgram, args: string[]): { command: string; args: string[] } {
  switch (program) {
    case 'etcd':
      return { command: etcdBinary(), args };
    case 'orchestrator':
      return { command: process.execPath, args: [...componentNodeArgs(), ORCHESTRATOR_MAIN, ...args] };
    case 'crucible':
      return { command: process.execPath, args: [CRUCIBLE_CLI, ...args] };
    case 'toxiproxy-server':
      return { command: realToxiproxyServer() ?? 'toxiproxy-server', args };
  }
}

/**
 * The real Toxiproxy's server when this machine has one: TOXIPROXY_SERVER (relative to the working
 * directory; it must then be executable — a wrong value is an error, not a reason to look
 * elsewhere), else toxiproxy-server on PATH. Clusters then run it instead of the bundled one.
 */
export function realToxiproxyServer(): string | undefined {
  const named = process.env.TOXIPROXY_SERVER;
  if (named) {
    const file = resolve(named);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      throw new ClusterError(
        'MissingPrerequisite',
        `TOXIPROXY_SERVER=${named}: ${file} is not an executable file`,
      );
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, 'toxiproxy-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
