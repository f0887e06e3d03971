import { randomBytes } from 'node:crypto';
import { Informer, type ApiClient } from '../../orchestrator/api/client/index.js';
import { isPodReady } from '../../orchestrator/api/pod-helpers.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Pod, PodTemplateSpec } from '../../orchestrator/api/types.js';
import { pollUntil } from '../support/poll-until.js';

const PODS = findResource('', 'v1', 'pods')!;

/**
 * One pod start as the cluster does it: a pod of `template` created (without the template's
 * labels, so no ReplicaSet adopts it), scheduled, started by a kubelet and passing its readiness
 * probe; create request → Running and Ready seen through a watch, in ms. The pod is deleted
 * afterwards.
 */
export async function measurePodStart(
  client: ApiClient,
  namespace: string,
  template: PodTemplateSpec,
  timeoutMs = 30_000,
): Promise<number> {
  const name = `pod-start-${randomBytes(3).toString('hex')}`;
  let readyAt: number | undefined;
  const informer = new Informer<Pod>({
    client,
    resource: PODS,
    namespace,
    fieldSelector: `metadata.name=${name}`,
  });
  const see = (pod: Pod) => {
    if (pod.status?.phase === 'Running' && isPodReady(pod)) readyAt ??= performance.now();
  };
  informer.addHandlers({ add: see, update: (_old, pod) => see(pod) });
  informer.start();
  try {
    await informer.waitForSync();
    const started = performance.now();
    await client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { 'crucible.dev/bench': 'pod-start' } },
      spec: template.spec,
    });
    try {
      await pollUntil(() => readyAt !== undefined, timeoutMs, `pod ${namespace}/${name} Running and Ready`);
      return readyAt! - started;
    } finally {
      await client.delete(PODS, namespace, name, { gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  } finally {
    await informer.stop();
  }
}
