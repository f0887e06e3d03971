import type { Taint, Toleration } from './types.js';

/** Kubernetes' ToleratesTaint: the effect (empty = any), the key (empty with Exists = any) and Equal/Exists. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** A taint as `--register-with-taints` takes it: `key[=value]:Effect`. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}
