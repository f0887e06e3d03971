import { createServer } from 'node:net';
import { ClusterError } from './cluster-error.js';
import { listClusterRecords } from './cluster-record.js';

/**
 * The third octet of a cluster's host addresses (workers at 127.0.<slot>.N, the control plane at
 * 127.0.<slot>.254), one per live cluster whichever provider runs it. A slot is free when no
 * cluster of this home holds it and its addresses can be bound (a cluster of another home may
 * hold them).
 */
export async function freeLoopbackSlot(): Promise<number> {
  const used = new Set((await listClusterRecords()).map((c) => Number(c.apiservers[0]?.split('.')[2])));
  for (let slot = 1; slot < 254; slot++)
    if (
      !used.has(slot) &&
      (await canBind(`127.0.${slot}.1`, 10250)) &&
      (await canBind(`127.0.${slot}.254`, 6443))
    )
      return slot;
  throw new ClusterError(
    'NoFreeAddress',
    'no free loopback slot for another cluster: run `crucible down --all`',
  );
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Host addresses for the cloud-controller-manager's load balancers, one per Service: 127.0.<slot>.200
 * to .253, between the workers (from .1) and the control plane (.254). Both providers use it.
 */
export function loadBalancerAddresses(slot: number): string {
  return `127.0.${slot}.200-127.0.${slot}.253`;
}
