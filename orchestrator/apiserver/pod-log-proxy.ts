import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { errors } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { Node, Pod } from '../api/types.js';
import { kubeletHostPort } from './kubelet-endpoint.js';
import type { ObjectStore } from './object-store.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const KUBELET_TIMEOUT_MS = 5000;

/**
 * `pods/log`: kube-apiserver asks the kubelet of the pod's node (its InternalIP and
 * daemonEndpoints port) for the container's log and relays it, so `kubectl logs` works.
 */
export async function proxyPodLog(
  store: ObjectStore,
  namespace: string,
  name: string,
  q: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const pod = (await store.get(PODS, namespace, name)) as Pod;
  const containers = pod.spec.containers.map((c) => c.name);
  const container = q.get('container') ?? (containers.length === 1 ? containers[0]! : undefined);
  if (!container) {
    throw errors.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
    );
  }
  if (!containers.includes(container))
    throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  if (!pod.spec.nodeName) throw errors.badRequest(`pod ${name} is not scheduled to a node yet`);
  const node = (await store.tryGet(NODES, '', pod.spec.nodeName)) as Node | undefined;
  const kubelet = kubeletHostPort(node);
  if (!kubelet) throw errors.unavailable(`node ${pod.spec.nodeName} publishes no kubelet endpoint`);
  const tail = q.get('tailLines');
  if (tail !== null && !/^\d+$/.test(tail))
    throw errors.badRequest(`tailLines: Invalid value: "${tail}": must be a non-negative integer`);
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${tail !== null ? `?tailLines=${tail}` : ''}`;
  let answer;
  try {
    answer = await request(`http://${kubelet}${path}`, {
      headersTimeout: KUBELET_TIMEOUT_MS,
      bodyTimeout: KUBELET_TIMEOUT_MS,
    });
  } catch (e) {
    throw errors.unavailable(
      `the kubelet of node ${pod.spec.nodeName} did not answer: ${(e as Error).message}`,
    );
  }
  const text = await answer.body.text();
  if (answer.statusCode !== 200)
    throw errors.badRequest(
      `the kubelet of node ${pod.spec.nodeName} answered ${answer.statusCode}: ${text.trim()}`,
    );
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
