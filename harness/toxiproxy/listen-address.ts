/**
 * TCP addresses as Go's net package reads, resolves, binds and prints them, because proxies echo
 * their `listen` address back in API bodies and clients compare it: "localhost:0" becomes
 * "127.0.0.1:41234", a wildcard ("", "0.0.0.0", "::") becomes "[::]:41234" (Go listens dual-stack),
 * and failures read as Go's ("listen tcp 127.0.0.1:80: bind: address already in use").
 */
import { lookup } from 'node:dns/promises';
import { createServer, isIP, type Server, type Socket } from 'node:net';

/** An address that does not parse or resolve; the message is Go's. */
export class AddressError extends Error {
  readonly code = 'AddressError';
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

/** An address that could not be bound; the message is Go's. */
export class ListenError extends Error {
  readonly code = 'ListenError';
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

export interface HostPort {
  readonly host: string;
  readonly port: string;
}

/** Go's net.SplitHostPort. */
export function splitHostPort(address: string): HostPort {
  const fail = (why: string): never => {
    throw new AddressError(`address ${address}: ${why}`);
  };
  const colon = address.lastIndexOf(':');
  if (colon < 0) fail('missing port in address');
  let host: string;
  let openFrom = 0;
  let closeFrom = 0;
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === address.length) fail('missing port in address');
    if (end + 1 !== colon)
      fail(address[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = address.slice(1, end);
    openFrom = 1;
    closeFrom = end + 1;
  } else {
    host = address.slice(0, colon);
    if (host.includes(':')) fail('too many colons in address');
  }
  if (address.slice(openFrom).includes('[')) fail("unexpected '[' in address");
  if (address.slice(closeFrom).includes(']')) fail("unexpected ']' in address");
  return { host, port: address.slice(colon + 1) };
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A resolved TCP address: `ip` is undefined for "any address". */
interface TcpAddress {
  readonly ip: string | undefined;
  readonly port: number;
}

/** Go's TCPAddr.String(). */
function formatTcpAddress(address: TcpAddress): string {
  return joinHostPort(address.ip ?? '', address.port);
}

/** Go's net.ResolveTCPAddr("tcp", address).String(): the form proxies are compared in. */
export async function resolveTcpAddress(address: string): Promise<string> {
  return formatTcpAddress(await resolve(address));
}

async function resolve(address: string): Promise<TcpAddress> {
  const { host, port } = splitHostPort(address);
  const portNumber = parsePort(port);
  if (host === '') return { ip: undefined, port: portNumber };
  const literal = canonicalIp(host);
  if (literal) return { ip: literal, port: portNumber };
  try {
    // Go prefers an IPv4 address when a name has both.
    const found = await lookup(host, { all: true });
    const chosen = found.find((a) => a.family === 4) ?? found[0];
    if (!chosen) throw new Error('no addresses');
    return { ip: canonicalIp(chosen.address) ?? chosen.address, port: portNumber };
  } catch {
    throw new AddressError(`lookup ${host}: no such host`);
  }
}

function parsePort(port: string): number {
  if (port === '') return 0;
  if (!/^[+-]?\d+$/.test(port)) throw new AddressError(`lookup tcp/${port}: unknown port`);
  const n = Number(port);
  if (n < 0 || n > 65535) throw new AddressError(`address ${port}: invalid port`);
  return n;
}

/** An IP literal in Go's printed form (IPv6 compressed and lower-case, IPv4-mapped as IPv4), or undefined. */
function canonicalIp(host: string): string | undefined {
  const version = isIP(host.split('%')[0]!);
  if (version === 4) return host;
  if (version !== 6) return undefined;
  const [address, zone] = host.split('%') as [string, string | undefined];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const compressed = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  return zone ? `${compressed}%${zone}` : compressed;
}

function isWildcard(ip: string | undefined): boolean {
  return ip === undefined || ip === '0.0.0.0' || ip === '::';
}

export interface BoundListener {
  readonly server: Server;
  /** The address as Go prints a listener's Addr(): the port chosen for port 0, "[::]" for a wildcard. */
  readonly address: string;
}

/**
 * Go's net.Listen("tcp", address): resolves, binds (a wildcard dual-stack, falling back to IPv4
 * where there is no IPv6), and hands accepted sockets — paused, half-open allowed — to `onConnection`.
 */
export async function listenTcp(
  address: string,
  onConnection: (socket: Socket) => void,
): Promise<BoundListener> {
  let resolved: TcpAddress;
  try {
    resolved = await resolve(address);
  } catch (e) {
    throw new ListenError(`listen tcp: ${e instanceof Error ? e.message : String(e)}`);
  }
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, onConnection);
  const wildcard = isWildcard(resolved.ip);
  try {
    if (!wildcard) await bind(server, resolved.ip!, resolved.port);
    else {
      try {
        await bind(server, '::', resolved.port);
      } catch (e) {
        if (
          (e as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' &&
          (e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL'
        )
          throw e;
        await bind(server, '0.0.0.0', resolved.port);
      }
    }
  } catch (e) {
    throw new ListenError(`listen tcp ${formatTcpAddress(resolved)}: ${bindFailure(e)}`);
  }
  const bound = server.address();
  if (bound === null || typeof bound === 'string')
    throw new ListenError(`listen tcp ${address}: not a TCP listener`);
  const host = isWildcard(bound.address) ? bound.address : (canonicalIp(bound.address) ?? bound.address);
  return { server, address: joinHostPort(host, bound.port) };
}

function bind(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ host, port, ipv6Only: false }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A bind error as Go's syscall error reads, e.g. "bind: address already in use". */
export function bindFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EADDRINUSE: 'bind: address already in use',
    EACCES: 'bind: permission denied',
    EADDRNOTAVAIL: 'bind: cannot assign requested address',
    EAFNOSUPPORT: 'socket: address family not supported by protocol',
  };
  return (code && known[code]) ?? (e instanceof Error ? e.message : String(e));
}
