import { Quantity } from './quantity.js';

/** Resource name → amount: Kubernetes' `ResourceList` (`spec.hard`, `status.used`, a pod's requests). */
export type ResourceList = Readonly<Record<string, Quantity>>;

/** Reads a `ResourceList` as it appears in objects; entries that are no quantity are left out. */
export function parseResourceList(raw: Readonly<Record<string, string | number>> | undefined): ResourceList {
  const list: Record<string, Quantity> = {};
  for (const [name, text] of Object.entries(raw ?? {})) {
    const q = Quantity.parse(text);
    if (q) list[name] = q;
  }
  return list;
}

/** The list as objects carry it: canonical quantities, names in sorted order. */
export function renderResourceList(list: ResourceList): Record<string, string> {
  return Object.fromEntries(
    Object.keys(list)
      .sort()
      .map((name) => [name, list[name]!.toString()]),
  );
}

/** The sum of both lists; a name in one only is copied. */
export function addResources(a: ResourceList, b: ResourceList): ResourceList {
  const sum: Record<string, Quantity> = { ...a };
  for (const [name, q] of Object.entries(b)) sum[name] = sum[name] ? sum[name].add(q) : q;
  return sum;
}

/** The larger amount of each name; a name in one only is copied. */
export function maxResources(a: ResourceList, b: ResourceList): ResourceList {
  const max: Record<string, Quantity> = { ...a };
  for (const [name, q] of Object.entries(b)) max[name] = max[name] ? max[name].max(q) : q;
  return max;
}

/** Only the entries whose names are in `names`. */
export function maskResources(list: ResourceList, names: Iterable<string>): ResourceList {
  const masked: Record<string, Quantity> = {};
  for (const name of names) if (list[name]) masked[name] = list[name];
  return masked;
}

/** The list without zero amounts. */
export function withoutZeros(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([, q]) => !q.isZero()));
}

/** Names, sorted, whose amount in `used` is above the amount `hard` has for them (names `hard` lacks are no limit). */
export function exceededResources(used: ResourceList, hard: ResourceList): string[] {
  return Object.keys(used)
    .filter((name) => hard[name] !== undefined && used[name]!.cmp(hard[name]) > 0)
    .sort();
}

/** `a=1,b=500m`: names sorted, a missing amount printed as 0, as kube-apiserver's quota messages. */
export function formatResourceList(list: ResourceList, names: readonly string[]): string {
  return [...names]
    .sort()
    .map((name) => `${name}=${(list[name] ?? Quantity.ZERO).toString()}`)
    .join(',');
}
