import { Toxiproxy } from 'toxiproxy-node-client';
import type { ClusterState } from '../cluster/cluster-state.js';

/** The Toxiproxy client of a cluster (the real server or the bundled one: same API). */
export function toxiproxyOf(state: ClusterState): Toxiproxy {
  return new Toxiproxy(state.toxiproxy);
}

/** Enables or disables the links (a disabled proxy closes its connections and refuses new ones). */
export async function setLinksEnabled(state: ClusterState, links: string[], enabled: boolean): Promise<void> {
  const toxiproxy = toxiproxyOf(state);
  for (const name of links) {
    const proxy = await toxiproxy.get(name);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }
}

/** The links that start at a node (worker-2 → its links to every apiserver). */
export function linksFrom(state: ClusterState, node: string): string[] {
  return state.links.filter((l) => l.from === node).map((l) => l.name);
}
