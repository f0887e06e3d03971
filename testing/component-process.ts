import { join } from 'node:path';
import { LocalProcess, outputContains } from '../harness/cluster/local-process.js';
import { ORCHESTRATOR_MAIN } from '../harness/cluster/host-programs.js';
import { pollUntil } from '../harness/support/poll-until.js';
import type { ApiClient } from '../orchestrator/api/client/index.js';
import { findResource } from '../orchestrator/api/resources.js';
import type { Node } from '../orchestrator/api/types.js';
import { TEST_TOKENS, kubeletToken, type TEST_NODES, type TestControlPlane } from './test-control-plane.js';

export type ComponentName = 'scheduler' | 'controller-manager' | 'kube-proxy' | 'kubelet';

const TOKENS: Record<ComponentName, string> = {
  scheduler: TEST_TOKENS.scheduler,
  'controller-manager': TEST_TOKENS.controllerManager,
  'kube-proxy': TEST_TOKENS.kubeProxy,
  kubelet: TEST_TOKENS.kubelet,
};

/**
 * Starts `orchestrator <component>` as its own process against `cp`, authenticated as the
 * component's user (so its RBAC role, or for a kubelet the Node authorizer, is exercised too), with
 * the fast timing profile. `token` overrides the component's usual token (a kubelet's is node
 * `test`'s).
 */
export async function startComponent(
  cp: TestControlPlane,
  component: ComponentName,
  identity: string,
  extraArgs: string[] = [],
  token = TOKENS[component],
): Promise<LocalProcess> {
  const proc = new LocalProcess({
    name: `${component}-${identity}`,
    command: process.execPath,
    args: [
      ORCHESTRATOR_MAIN,
      component,
      `--server=${cp.url}`,
      `--token=${token}`,
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

/** A worker node: a kubelet and a kube-proxy on their own loopback address, as the process provider runs them. */
export interface TestWorker {
  name: string;
  ip: string;
  kubelet: LocalProcess;
  kubeletPort: number;
  proxy: LocalProcess;
}

/** Starts worker `name` (one of the test nodes), its kubelet authenticated as that node. */
export async function startWorker(
  cp: TestControlPlane,
  name: (typeof TEST_NODES)[number],
  ip: string,
  rootDir: string,
): Promise<TestWorker> {
  const kubelet = await startComponent(
    cp,
    'kubelet',
    name,
    [`--node-name=${name}`, `--node-ip=${ip}`, `--root-dir=${join(rootDir, name)}`, '--port=0'],
    kubeletToken(name),
  );
  await pollUntil(
    () => kubelet.printed.includes('"msg":"kubelet started"'),
    15_000,
    `${kubelet.spec.name} to print that it started`,
  );
  const line = kubelet.printed.split('\n').find((l) => l.includes('"msg":"kubelet started"'))!;
  const kubeletPort = (JSON.parse(line) as { port: number }).port;
  const proxy = await startComponent(cp, 'kube-proxy', name, [
    `--node-name=${name}`,
    `--bind-address=${ip}`,
    '--healthz-port=0',
  ]);
  return { name, ip, kubelet, kubeletPort, proxy };
}

/**
 * Starts node `name`'s kubelet alone (no kube-proxy), authenticated as that node, and waits until
 * its Node object publishes the kubelet's port: the apiserver reaches a kubelet there (logs, the
 * node proxy, resource metrics).
 */
export async function startKubelet(
  cp: TestControlPlane,
  client: ApiClient,
  name: (typeof TEST_NODES)[number],
  rootDir: string,
): Promise<{ kubelet: LocalProcess; kubeletPort: number }> {
  const kubelet = await startComponent(
    cp,
    'kubelet',
    name,
    [`--node-name=${name}`, `--root-dir=${join(rootDir, name)}`, '--port=0'],
    kubeletToken(name),
  );
  let kubeletPort = 0;
  await pollUntil(
    async () => {
      const node = await client.tryGet<Node>(findResource('', 'v1', 'nodes')!, '', name);
      kubeletPort = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
      return kubeletPort > 0;
    },
    15_000,
    `${name} to publish its kubelet endpoint`,
  );
  return { kubelet, kubeletPort };
}
