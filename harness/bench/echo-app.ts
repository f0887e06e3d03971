import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { parseAllDocuments } from 'yaml';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { isPodActive, isPodReady } from '../../orchestrator/api/pod-helpers.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Pod, Service } from '../../orchestrator/api/types.js';
import { type ClusterRecord, PROJECT_ROOT } from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import type { LoadTarget } from '../load/index.js';
import { resolveServiceTargets } from '../load/index.js';

/** The sample app every scenario uses: an echo Deployment behind a NodePort Service. */
export const ECHO_MANIFEST = join(PROJECT_ROOT, 'scenarios', 'manifests', 'echo.yaml');

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const SERVICES = findResource('', 'v1', 'services')!;
const PODS = findResource('', 'v1', 'pods')!;
const NAMESPACE = 'default';

/** The echo app as deployed: its Deployment, and the Service's node port on every worker. */
export interface EchoApp {
  namespace: string;
  deployment: Deployment;
  /** The Deployment's pods, as a label selector (`app=echo`). */
  labelSelector: string;
  /** The Service through each worker's node port, as a client outside the cluster reaches it. */
  targets: LoadTarget[];
}

/**
 * Creates the echo app of scenarios/manifests/echo.yaml with `replicas` pods, then waits until
 * every worker runs a ready one (so a lost worker loses pods) and the Service answers through
 * every worker's node port.
 */
export async function deployEchoApp(
  client: ApiClient,
  workers: ClusterRecord['workers'],
  replicas: number,
  timeoutMs = 60_000,
): Promise<EchoApp> {
  const objects = parseAllDocuments(await readFile(ECHO_MANIFEST, 'utf8')).map(
    (doc) => doc.toJS() as Deployment | Service,
  );
  const manifest = objects.find((o): o is Deployment => o.kind === 'Deployment');
  const service = objects.find((o): o is Service => o.kind === 'Service');
  if (!manifest || !service) throw new Error(`${ECHO_MANIFEST}: expected a Deployment and a Service`);
  const deployment = await client.create<Deployment>(DEPLOYMENTS, {
    ...manifest,
    metadata: { ...manifest.metadata, namespace: NAMESPACE },
    spec: { ...manifest.spec, replicas },
  });
  await client.create<Service>(SERVICES, {
    ...service,
    metadata: { ...service.metadata, namespace: NAMESPACE },
  });
  const labelSelector = Object.entries(deployment.spec.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const app: EchoApp = {
    namespace: NAMESPACE,
    deployment,
    labelSelector,
    targets: await resolveServiceTargets(client, workers, NAMESPACE, service.metadata.name!),
  };
  await waitUntilSpread(
    client,
    app,
    workers.map((w) => w.name),
    replicas,
    timeoutMs,
  );
  await pollUntil(
    async () => (await Promise.all(app.targets.map(answers))).every(Boolean),
    timeoutMs,
    `the echo Service answering through ${app.targets.map((t) => t.url).join(', ')}`,
    100,
  );
  return app;
}

/** Waits until `replicas` pods of the app are ready, at least one on each of `nodes`. */
export async function waitUntilSpread(
  client: ApiClient,
  app: EchoApp,
  nodes: readonly string[],
  replicas: number,
  timeoutMs: number,
): Promise<void> {
  let perNode = new Map<string, number>();
  await pollUntil(
    async () => {
      const pods = (await client.list<Pod>(PODS, app.namespace, { labelSelector: app.labelSelector })).items;
      perNode = readyPodsPerNode(pods);
      const total = [...perNode.values()].reduce((a, b) => a + b, 0);
      return total === replicas && nodes.every((n) => (perNode.get(n) ?? 0) > 0);
    },
    timeoutMs,
    () =>
      `${replicas} echo pods ready on ${nodes.join(', ')}; ready per node: ${
        [...perNode].map(([n, c]) => `${n} ${c}`).join(', ') || 'none'
      }`,
    100,
  );
}

function readyPodsPerNode(pods: readonly Pod[]): Map<string, number> {
  const perNode = new Map<string, number>();
  for (const pod of pods)
    if (isPodActive(pod) && isPodReady(pod) && pod.spec.nodeName)
      perNode.set(pod.spec.nodeName, (perNode.get(pod.spec.nodeName) ?? 0) + 1);
  return perNode;
}

async function answers(target: LoadTarget): Promise<boolean> {
  const res = await request(target.url, { reset: true, headersTimeout: 2000 }).catch(() => undefined);
  await res?.body.dump();
  return res?.statusCode === 200;
}
