import type { Node } from '../api/types.js';

/**
 * Where the apiserver reaches a node's kubelet, as kube-apiserver does: the Node's InternalIP and
 * `status.daemonEndpoints.kubeletEndpoint.Port`, as `host:port` (an IPv6 address in brackets);
 * undefined when the Node publishes either not.
 */
export function kubeletHostPort(node: Node | undefined): string | undefined {
  const address = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) return undefined;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
