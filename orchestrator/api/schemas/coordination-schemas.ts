/**
 * coordination.k8s.io/v1 Lease: the object behind leader election and node heartbeats.
 */
import type { Lease, ObjectMeta } from '../types.js';
import { nonNegative, positive } from './checks.js';
import type { FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { kindShape, validateObjectMeta } from './object-meta-schema.js';
import { int32, object, string, type Shape } from './shape.js';

/** A whole Lease. Times are RFC 3339 micro-times kept as strings. */
export const leaseShape: Shape = kindShape({
  spec: object({
    holderIdentity: string(),
    leaseDurationSeconds: int32(),
    acquireTime: string(),
    renewTime: string(),
    leaseTransitions: int32(),
    strategy: string(),
    preferredHolder: string(),
  }),
});

type LeaseSpecIn = NonNullable<Lease['spec']> & { strategy?: string; preferredHolder?: string };

/** Kubernetes' `ValidateLease`: a positive duration, non-negative transitions. */
export function validateLease(errs: FieldErrors, lease: { metadata?: ObjectMeta; spec?: LeaseSpecIn }): void {
  validateObjectMeta(errs, lease.metadata, { name: nameIsDNSSubdomain });
  const spec = lease.spec ?? {};
  positive(errs, 'spec.leaseDurationSeconds', spec.leaseDurationSeconds);
  nonNegative(errs, 'spec.leaseTransitions', spec.leaseTransitions);
  if (spec.preferredHolder && !spec.strategy) {
    errs.forbidden('spec.preferredHolder', 'preferredHolder is only supported for non-nil strategy');
  }
}
