/**
 * Enough of `resource.Quantity` to compare two quantities (requests against limits); the
 * syntax itself is checked by the `quantity()` shape.
 */
import { QUANTITY_PATTERN } from './shape.js';

const suffixes: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const pattern = new RegExp(QUANTITY_PATTERN);

/** The numeric value of a quantity (`500m` → 0.5, `1Gi` → 1073741824), or `undefined` if malformed. */
export function quantityValue(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = pattern.exec(q);
  if (!m) return undefined;
  const base = Number(m[1]);
  const suffix = m[2] ?? '';
  if (Number.isNaN(base)) return undefined;
  if (Object.hasOwn(suffixes, suffix)) return base * (suffixes[suffix] as number);
  const exp = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  return exp ? base * 10 ** Number(exp[1]) : undefined;
}
