import { join } from 'node:path';
import { LocalProcess, outputContains } from '../harness/cluster/local-process.js';
import { ORCHESTRATOR_MAIN } from '../harness/cluster/local-control-plane.js';
import { TEST_TOKENS, type TestControlPlane } from './test-control-plane.js';

export type ComponentName = 'scheduler' | 'controller-manager' | 'kube-proxy';

const TOKENS: Record<ComponentName, string> = {
  scheduler: TEST_TOKENS.scheduler,
  'controller-manager': TEST_TOKENS.controllerManager,
  'kube-proxy': TEST_TOKENS.kubeProxy,
};

/**
 * Starts `orchestrator <component>` as its own process against `cp`, authenticated as the
 * component's user (so its RBAC role is exercised too), with the fast timing profile.
 */
export async function startComponent(
  cp: TestControlPlane,
  component: ComponentName,
  identity: string,
  extraArgs: string[] = [],
): Promise<LocalProcess> {
  const proc = new LocalProcess({
    name: `${component}-${identity}`,
    command: process.execPath,
    args: [
      ORCHESTRATOR_MAIN,
      component,
      `--server=${cp.url}`,
      `--token=${TOKENS[component]}`,
      `--certificate-authority=${cp.caFile}`,
      '--profile=fast',
      `--identity=${identity}`,
      '--log-level=info',
      ...extraArgs,
    ],
    logFile: join(cp.dir, `${component}-${identity}.log`),
    ready: outputContains('"msg":"', 15_000),
  });
  await proc.start();
  return proc;
}
