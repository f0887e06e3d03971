import { nodeProxyPath, type ApiClient } from '../../orchestrator/api/client/index.js';
import { isApiError } from '../../orchestrator/api/errors.js';
import type { GroundTruthPod } from '../history/history.js';
import type { GroundTruthWorker, KubeletPodsAnswer } from './ground-truth-recorder.js';
import { groundTruthPodsOf } from './kubelet-pod-list.js';

/** Why a node's ground truth could not be read through the node proxy. */
export type NodeProxyErrorCode =
  /** The apiserver's authorizer refused `get nodes/proxy` to the client (403). */
  | 'Forbidden'
  /** The apiserver knows no Node of that name (404). */
  | 'NodeNotFound'
  /** The apiserver could not reach the node's kubelet, or the node publishes no kubelet endpoint (503). */
  | 'KubeletUnreachable'
  /** The apiserver itself did not answer in time or at all. */
  | 'NoAnswer'
  /** The apiserver, or the kubelet behind it, answered with another error. */
  | 'Refused'
  /** The answer was not a PodList. */
  | 'NotAPodList';

/**
 * A node's ground truth is unknown, and this says why, in words a check can give as the reason of
 * an `unknown` verdict: `ground truth of node worker-1 is unknown: the apiserver refused its node
 * proxy (HTTP 403: nodes "worker-1" is forbidden: …)`.
 */
export class NodeProxyError extends Error {
  constructor(
    readonly code: NodeProxyErrorCode,
    readonly node: string,
    /** The apiserver's HTTP status; 0 when it did not answer. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'NodeProxyError';
  }
}

export interface NodeProxyReadOptions {
  /** Gives up once aborted. */
  signal?: AbortSignal;
}

/**
 * What node `nodeName`'s kubelet runs, read as its `GET /pods` PodList through the apiserver's
 * node proxy (`/api/v1/nodes/{node}/proxy/pods`) with any ApiClient: crucible's cluster or any
 * Kubernetes cluster a kubeconfig reaches, whose kubelets the harness cannot reach directly. Asks
 * once (no retries: a sample is an observation, not a request to get through). Rejects with a
 * NodeProxyError that says why when the apiserver refuses (403 without `nodes/proxy`, 404 for an
 * unknown node, 503 when the kubelet does not answer), does not answer, or answers no PodList.
 */
export async function readPodsThroughNodeProxy(
  client: ApiClient,
  nodeName: string,
  opts: NodeProxyReadOptions = {},
): Promise<GroundTruthPod[]> {
  let list: unknown;
  try {
    list = await client.getPath(nodeProxyPath(nodeName, '/pods'), { retries: 0, signal: opts.signal });
  } catch (e) {
    throw refusal(nodeName, e);
  }
  const pods = groundTruthPodsOf(list);
  if (!pods)
    throw new NodeProxyError(
      'NotAPodList',
      nodeName,
      200,
      `ground truth of node ${nodeName} is unknown: its kubelet answered /pods through the node proxy with something that is not a PodList`,
    );
  return pods;
}

/**
 * The GroundTruthRecorder's `readPods` seam through the node proxy: a kubelet that does not answer
 * (503) or an apiserver that does not answer rejects, which the recorder samples as unreachable;
 * any other refusal (403, 404) comes back as that answer, which the recorder logs with its reason.
 */
export function nodeProxyPodsReader(
  client: ApiClient,
): (worker: GroundTruthWorker, signal: AbortSignal) => Promise<KubeletPodsAnswer> {
  return async (worker, signal) => {
    try {
      const pods = await client.getPath(nodeProxyPath(worker.name, '/pods'), { retries: 0, signal });
      return { status: 200, text: JSON.stringify(pods) };
    } catch (e) {
      const error = refusal(worker.name, e);
      if (error.code === 'KubeletUnreachable' || error.code === 'NoAnswer') throw error;
      return { status: error.status, text: isApiError(e) ? e.message : error.message };
    }
  };
}

function refusal(node: string, e: unknown): NodeProxyError {
  const unknown = `ground truth of node ${node} is unknown`;
  if (!isApiError(e)) {
    const message = (e as Error)?.message ?? String(e);
    return new NodeProxyError('NoAnswer', node, 0, `${unknown}: the apiserver did not answer: ${message}`);
  }
  const said = `HTTP ${e.code}: ${e.message}`;
  if (e.code === 403)
    return new NodeProxyError(
      'Forbidden',
      node,
      403,
      `${unknown}: the apiserver refused its node proxy (${said})`,
    );
  if (e.code === 404)
    return new NodeProxyError(
      'NodeNotFound',
      node,
      404,
      `${unknown}: the apiserver has no such node (${said})`,
    );
  // The client's own failures (no connection, no answer in time) are ApiErrors without an answer.
  if (/^apiserver (unreachable|did not answer)/.test(e.message))
    return new NodeProxyError('NoAnswer', node, 0, `${unknown}: ${e.message}`);
  if (e.code === 503)
    return new NodeProxyError(
      'KubeletUnreachable',
      node,
      503,
      `${unknown}: the apiserver could not reach its kubelet (${said})`,
    );
  return new NodeProxyError('Refused', node, e.code, `${unknown}: the node proxy answered ${said}`);
}
