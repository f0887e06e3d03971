import { request } from 'node:http';
import type { Pod } from '../api/types.js';

/** How long a pod's start waits for the agent: past it, the pod starts and the agent catches up. */
const ANNOUNCE_TIMEOUT_MS = 2000;

/**
 * Tells the node's NetworkPolicy agent (kube-proxy, network-policy-agent.ts) that `pod` runs as
 * user `uid`: `POST /network-policy/pods/<namespace>/<name>?uid=<uid>` on its health port, which
 * answers 204 once its rules know the pod. Only root may tell it (the agent checks who owns the
 * calling socket), so a pod cannot claim another pod's user. Rejects on any other answer or after
 * the timeout.
 */
export function announcePodUser(
  agent: { host: string; port: number },
  pod: Pod,
  uid: number,
  timeoutMs = ANNOUNCE_TIMEOUT_MS,
): Promise<void> {
  const path = `/network-policy/pods/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(
    pod.metadata.name ?? '',
  )}?uid=${uid}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: agent.host, port: agent.port, method: 'POST', path, timeout: timeoutMs },
      (res) => {
        res.resume();
        if (res.statusCode === 204) resolve();
        else reject(new Error(`${agent.host}:${agent.port} answered ${res.statusCode}`));
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from ${agent.host}:${agent.port} within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}
