import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { errors } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { isSimulatedNode } from '../api/simulated-nodes.js';
import type { Node } from '../api/types.js';
import { kubeletHostPort } from './kubelet-endpoint.js';
import type { ObjectStore } from './object-store.js';

const NODES = findResource('', 'v1', 'nodes')!;
/** How long the kubelet gets to answer, as kube-apiserver's proxy dial and response-header timeouts. */
const KUBELET_TIMEOUT_MS = 5000;
/** The answer's headers passed through; hop-by-hop and connection headers stay behind. */
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'cache-control',
  'last-modified',
];

/**
 * `GET /api/v1/nodes/{node}/proxy/{path...}` (the `nodes/proxy` subresource): kube-apiserver's
 * node proxy. Asks the node's kubelet, at the Node's InternalIP and
 * `status.daemonEndpoints.kubeletEndpoint.Port`, for `path` with the request's query, and streams
 * its answer back as it is: status, content type and body. A kubelet that does not answer is a 503
 * Status, `error trying to reach service: …` as upstream says it; so is a node that publishes no
 * kubelet endpoint, such as a simulated node, which runs no kubelet server at all.
 */
export async function proxyToNode(
  store: ObjectStore,
  nodeName: string,
  /** The request's path, as the client sent it. */
  pathname: string,
  /** The request's query, `?…` or ''. */
  search: string,
  res: ServerResponse,
  signal?: AbortSignal,
): Promise<void> {
  const node = (await store.get(NODES, '', nodeName)) as Node;
  if (isSimulatedNode(node))
    throw errors.unavailable(
      `node ${nodeName} is a simulated node: it runs no kubelet server, so there is nothing to proxy to`,
    );
  const kubelet = kubeletHostPort(node);
  if (!kubelet)
    throw errors.unavailable(
      `node ${nodeName} publishes no kubelet endpoint (status.addresses InternalIP and status.daemonEndpoints.kubeletEndpoint.Port)`,
    );
  const target = `http://${kubelet}/${kubeletPath(pathname, nodeName)}${search}`;
  let answer;
  try {
    answer = await request(target, {
      method: 'GET',
      headersTimeout: KUBELET_TIMEOUT_MS,
      bodyTimeout: KUBELET_TIMEOUT_MS,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(KUBELET_TIMEOUT_MS)]) : undefined,
    });
  } catch (e) {
    throw errors.unavailable(`error trying to reach service: ${reachFailure(e, kubelet)}`);
  }
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  res.writeHead(answer.statusCode, headers);
  // Once the head is out, a failure midway can only cut the answer short (writeError destroys it).
  await pipeline(answer.body, res);
}

/**
 * What follows `/api/v1/nodes/{node}/proxy` in the request path, without its leading slash and
 * still percent-encoded as the client sent it.
 */
function kubeletPath(pathname: string, nodeName: string): string {
  const prefix = `/api/v1/nodes/${encodeURIComponent(nodeName)}/proxy`;
  const rest = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : '';
  return rest.replace(/^\/+/, '');
}

/** Go's dial error wording, which clients of kube-apiserver's proxy match on. */
function reachFailure(e: unknown, kubelet: string): string {
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const where = `dial tcp ${kubelet}`;
  if (code === 'ECONNREFUSED') return `${where}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `${where}: connect: no route to host`;
  if (code === 'ECONNRESET') return `read tcp ${kubelet}: read: connection reset by peer`;
  if (/timeout/i.test(code) || err.name === 'TimeoutError' || err.name === 'AbortError')
    return `${where}: i/o timeout`;
  return `${where}: ${err.message}`;
}
