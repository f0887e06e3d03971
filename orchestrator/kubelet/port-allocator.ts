import { createServer } from 'node:net';

/**
 * Hands out node-local TCP ports on the node's address. Pods share their node's address in
 * crucible, so each declared containerPort is served on a port of the node; a port handed out is
 * never handed out again until released, and is checked free (bindable) when handed out.
 */
export class PortAllocator {
  private readonly taken = new Set<number>();

  constructor(private readonly host: string) {}

  /**
   * A free port, `preferred` when it is free and not taken (so a pod keeps its ports across a
   * kubelet restart, and its endpoints stay put).
   */
  async allocate(preferred?: number): Promise<number> {
    if (preferred && !this.taken.has(preferred) && (await this.bindable(preferred))) {
      this.taken.add(preferred);
      return preferred;
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await this.bindable(0);
      if (port && !this.taken.has(port)) {
        this.taken.add(port);
        return port;
      }
    }
    throw new Error(`no free port on ${this.host}`);
  }

  release(port: number): void {
    this.taken.delete(port);
  }

  /** The port bound (0 asks the kernel for one), or 0 when it cannot be bound. */
  private bindable(port: number): Promise<number> {
    return new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(0));
      server.listen({ host: this.host, port, exclusive: true }, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(bound));
      });
    });
  }
}
