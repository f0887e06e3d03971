import type { Socket } from 'node:net';
import type { ToxicCollection } from './toxic-collection.js';
import type { LinkConnection, ToxicLink } from './toxic-link.js';

/**
 * One client connection through a proxy: the client socket, the socket to the upstream, and a link
 * for each direction. It is over once both sockets have closed.
 */
export class ProxyConnection implements LinkConnection {
  private resetOnClose = false;
  private links: ToxicLink[] = [];

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly onClosed: () => void,
  ) {}

  start(toxics: ToxicCollection): void {
    let open = 2;
    for (const socket of [this.client, this.upstream]) {
      socket.once('close', () => {
        if (--open > 0) return;
        for (const link of this.links) link.terminate();
        this.onClosed();
      });
    }
    this.links = [
      toxics.startLink('upstream', this.client, this.upstream, this),
      toxics.startLink('downstream', this.upstream, this.client, this),
    ];
  }

  markReset(): void {
    this.resetOnClose = true;
  }

  closeSocket(socket: Socket): void {
    if (socket.destroyed) return;
    if (this.resetOnClose) {
      socket.resetAndDestroy();
      return;
    }
    // Like Go's Close after its last Write: what was written still goes out, then FIN; the read
    // side closes too, which ends the other direction's link.
    socket.end(() => socket.destroy());
  }

  /** Closes both sockets now (the proxy was disabled or deleted). */
  destroy(): void {
    for (const link of this.links) link.terminate();
    for (const socket of [this.client, this.upstream]) {
      if (socket.destroyed) continue;
      if (this.resetOnClose) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
