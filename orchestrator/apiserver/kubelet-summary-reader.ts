import { request } from 'undici';
import { isSimulatedNode } from '../api/simulated-nodes.js';
import { STATS_WINDOW_HEADER, type Summary } from '../api/stats-summary.js';
import type { Node } from '../api/types.js';
import { kubeletHostPort } from './kubelet-endpoint.js';

/**
 * How long a kubelet gets to answer: short, because a node that does not answer only drops its
 * pods from the answer, and `kubectl top` should not wait on a lost node as long as on a log.
 */
const KUBELET_SUMMARY_TIMEOUT_MS = 2000;

/** A kubelet's Summary and the window of its CPU rates (undefined before it has one). */
export interface NodeSummary {
  summary: Summary;
  windowMs?: number;
}

/**
 * Asks the kubelet of `node` for `/stats/summary`, at the Node's InternalIP and
 * `status.daemonEndpoints.kubeletEndpoint.Port`, as metrics-server scrapes it. Resolves undefined
 * when there is nothing to read: a simulated node (no kubelet server), a node that publishes no
 * endpoint, a kubelet that does not answer in time or answers other than 200 with a Summary.
 */
export async function readNodeSummary(node: Node): Promise<NodeSummary | undefined> {
  if (isSimulatedNode(node)) return undefined;
  const kubelet = kubeletHostPort(node);
  if (!kubelet) return undefined;
  try {
    const answer = await request(`http://${kubelet}/stats/summary?only_cpu_and_memory=true`, {
      headersTimeout: KUBELET_SUMMARY_TIMEOUT_MS,
      bodyTimeout: KUBELET_SUMMARY_TIMEOUT_MS,
      signal: AbortSignal.timeout(KUBELET_SUMMARY_TIMEOUT_MS),
    });
    if (answer.statusCode !== 200) {
      await answer.body.dump();
      return undefined;
    }
    const summary = (await answer.body.json()) as Summary;
    if (!summary?.node || !Array.isArray(summary.pods)) return undefined;
    const window = Number(answer.headers[STATS_WINDOW_HEADER]);
    return { summary, ...(window > 0 ? { windowMs: window } : {}) };
  } catch {
    return undefined;
  }
}
