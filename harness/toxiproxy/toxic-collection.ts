import type { Socket } from 'node:net';
import type { ActiveToxic, StreamDirection } from './active-toxic.js';
import { ToxicLink, type LinkConnection } from './toxic-link.js';

/**
 * A proxy's toxics, one ordered chain per direction, and the live links they apply to. Every change
 * reaches the links of open connections too, as in Toxiproxy: an added toxic is appended to each
 * link's chain, an updated one restarts with its new settings, a removed one is taken out.
 * Chain and link set change in one synchronous step, so a connection accepted meanwhile gets the
 * toxic either from its starting chain or from the change — never twice.
 */
export class ToxicCollection {
  private readonly chains: Record<StreamDirection, ActiveToxic[]> = { upstream: [], downstream: [] };
  private readonly links = new Set<ToxicLink>();

  constructor(private readonly random: () => number) {}

  /** Upstream toxics first, then downstream, each in the order added: the order of Toxiproxy's lists. */
  list(): ActiveToxic[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  find(name: string): ActiveToxic | undefined {
    return this.list().find((t) => t.name === name);
  }

  /** Appends a toxic; the caller has checked that its name is free. */
  add(toxic: ActiveToxic): void {
    this.chains[toxic.direction].push(toxic);
    for (const link of this.linksOf(toxic.direction)) link.addToxic(toxic);
  }

  /** Replaces the toxic of the same name, in place. */
  async update(toxic: ActiveToxic): Promise<void> {
    const chain = this.chains[toxic.direction];
    const index = chain.findIndex((t) => t.name === toxic.name);
    if (index < 0) return;
    chain[index] = toxic;
    await Promise.all(this.linksOf(toxic.direction).map((link) => link.updateToxic(toxic)));
  }

  /** Removes the named toxic; false if there is none. */
  async remove(name: string): Promise<boolean> {
    const toxic = this.find(name);
    if (!toxic) return false;
    const chain = this.chains[toxic.direction];
    chain.splice(chain.indexOf(toxic), 1);
    await Promise.all(this.linksOf(toxic.direction).map((link) => link.removeToxic(name)));
    return true;
  }

  /** Removes every toxic, upstream first, each chain from its front, as Toxiproxy's reset does. */
  async reset(): Promise<void> {
    for (const toxic of this.list()) await this.remove(toxic.name);
  }

  /** Starts a link for one direction of a new connection, with the toxics configured now. */
  startLink(
    direction: StreamDirection,
    source: Socket,
    destination: Socket,
    connection: LinkConnection,
  ): ToxicLink {
    const link: ToxicLink = new ToxicLink({
      direction,
      source,
      destination,
      chain: [...this.chains[direction]],
      connection,
      random: this.random,
      onDone: () => this.links.delete(link),
    });
    this.links.add(link);
    link.start();
    return link;
  }

  private linksOf(direction: StreamDirection): ToxicLink[] {
    return [...this.links].filter((link) => link.direction === direction);
  }
}
