import { Toxiproxy } from 'toxiproxy-node-client';
import type { ClusterRecord } from '../cluster/index.js';

/** The Toxiproxy client of a cluster (the real server or the bundled one: same API). */
export function toxiproxyOf(record: ClusterRecord): Toxiproxy {
  return new Toxiproxy(record.toxiproxy);
}

/** Enables or disables the links (a disabled proxy closes its connections and refuses new ones). */
export async function setLinksEnabled(
  record: ClusterRecord,
  links: string[],
  enabled: boolean,
): Promise<void> {
  const toxiproxy = toxiproxyOf(record);
  for (const name of links) {
    const proxy = await toxiproxy.get(name);
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }
}

/** The links that start at a node (worker-2 → its links to every apiserver). */
export function linksFrom(record: ClusterRecord, node: string): string[] {
  return record.links.filter((l) => l.from === node).map((l) => l.name);
}
