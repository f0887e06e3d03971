import type { Taint, Toleration } from './types.js';

/** Kubernetes' ToleratesTaint: the effect (empty = any), the key (empty with Exists = any) and Equal/Exists. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}
