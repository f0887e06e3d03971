import { readFile } from 'node:fs/promises';

/** Reads one of the kernel's socket tables; the default reads /proc/net/<name> of this network namespace. */
export type SocketTableReader = (name: 'tcp' | 'tcp6') => Promise<string>;

const readProcTable: SocketTableReader = (name) => readFile(`/proc/net/${name}`, 'utf8').catch(() => '');

/**
 * The user id owning the local TCP socket bound to `address:port` in this network namespace (the
 * client end of a connection a node's process opened to us), from the kernel's socket tables, as
 * `ss -tnep` shows it; undefined when no local socket has that address (the client is elsewhere,
 * or already gone). IPv4 clients of dual-stack sockets are found in tcp6 as ::ffff:a.b.c.d.
 */
export async function localSocketOwner(
  address: string,
  port: number,
  read: SocketTableReader = readProcTable,
): Promise<number | undefined> {
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ipv4)) return undefined;
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  // /proc/net/tcp prints an IPv4 address as its 32-bit value in host (little-endian) order.
  const v4 = ipv4
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .reverse()
    .join('');
  // …and an IPv4-mapped IPv6 one as four such words: 0, 0, 0000FFFF (byte-swapped), the address.
  const v6 = `0000000000000000FFFF0000${v4}`;
  for (const [table, local] of [
    ['tcp', `${v4}:${portHex}`],
    ['tcp6', `${v6}:${portHex}`],
  ] as const) {
    const text = await read(table);
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid …; st 0A is a listener.
      if (fields[1] === local && fields[3] !== '0A') return Number(fields[7]);
    }
  }
  return undefined;
}
