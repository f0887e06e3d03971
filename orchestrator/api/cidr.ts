/**
 * CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`) as a NetworkPolicy's `ipBlock` names them: read the
 * way upstream's `netutils.ParseCIDRSloppy` reads them, and compared for containment.
 */
import { BlockList, isIP } from 'node:net';

/** A CIDR block as written: an address, whose host bits may be set, and a prefix length. */
export interface Cidr {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefix: number;
}

/**
 * `ADDRESS/PREFIX` with an IPv4 or IPv6 address and a prefix length that fits it (0–32, 0–128);
 * undefined for anything else, zoned IPv6 addresses (`fe80::1%eth0`) included.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (address.includes('%') || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (version === 4 ? 32 : 128)) return undefined;
  return { family: version === 4 ? 'ipv4' : 'ipv6', address, prefix };
}

/**
 * Whether `inner` lies wholly inside `outer`: the same family, a prefix at least as long, and its
 * address within `outer`'s block.
 */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const block = new BlockList();
  block.addSubnet(outer.address, outer.prefix, outer.family);
  return block.check(inner.address, inner.family);
}

/**
 * `cidr` without the blocks of `except`, as the fewest CIDRs that cover the rest (IPv4). An IPv6
 * block yields nothing: this cluster's pods have IPv4 addresses only.
 */
export function subtractCidrs(cidr: string, except: readonly string[]): string[] {
  const block = parseIpv4Cidr(cidr);
  if (!block) return [];
  let rest = [block];
  for (const text of except) {
    const hole = parseIpv4Cidr(text);
    if (!hole) continue;
    rest = rest.flatMap((b) => subtractBlock(b, hole));
  }
  return rest.map(formatBlock);
}

interface Block {
  base: number; // unsigned 32-bit
  prefix: number;
}

function parseIpv4Cidr(text: string): Block | undefined {
  const cidr = parseCidr(text.trim());
  if (cidr?.family !== 'ipv4') return undefined;
  const address = cidr.address.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return { base: address - (address % 2 ** (32 - cidr.prefix)), prefix: cidr.prefix };
}

function formatBlock(b: Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(b.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${b.prefix}`;
}

function contains(outer: Block, inner: Block): boolean {
  return inner.prefix >= outer.prefix && inner.base - (inner.base % 2 ** (32 - outer.prefix)) === outer.base;
}

/** `b` without `hole`: `b` itself when they do not overlap, nothing when `hole` covers it, else its halves recursively. */
function subtractBlock(b: Block, hole: Block): Block[] {
  if (contains(hole, b)) return [];
  if (!contains(b, hole)) return [b];
  const half = 2 ** (32 - b.prefix - 1);
  const halves = [
    { base: b.base, prefix: b.prefix + 1 },
    { base: b.base + half, prefix: b.prefix + 1 },
  ];
  return halves.flatMap((h) => subtractBlock(h, hole));
}
