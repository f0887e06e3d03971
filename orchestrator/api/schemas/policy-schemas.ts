/**
 * policy/v1 PodDisruptionBudget: structure and the checks of Kubernetes'
 * `ValidatePodDisruptionBudget` (spec) and `ValidatePodDisruptionBudgetStatusUpdate` (status).
 */
import type { ObjectMeta, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from '../types.js';
import { intOrPercent, nonNegative, notMoreThan100Percent, oneOf } from './checks.js';
import type { FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import {
  kindShape,
  labelSelectorShape,
  validateLabelSelector,
  validateObjectMeta,
} from './object-meta-schema.js';
import { anyObject, array, int32, int64, intOrString, map, object, string, type Shape } from './shape.js';

const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'] as const;

/** A whole PodDisruptionBudget. */
export const podDisruptionBudgetShape: Shape = kindShape({
  spec: object({
    minAvailable: intOrString(),
    maxUnavailable: intOrString(),
    selector: labelSelectorShape,
    unhealthyPodEvictionPolicy: string(),
  }),
  status: object({
    observedGeneration: int64(),
    disruptedPods: map(string()),
    disruptionsAllowed: int32(),
    currentHealthy: int32(),
    desiredHealthy: int32(),
    expectedPods: int32(),
    conditions: array(anyObject()),
  }),
});

/** Semantic checks of a whole PodDisruptionBudget. */
export function validatePodDisruptionBudget(
  errs: FieldErrors,
  pdb: {
    metadata?: ObjectMeta;
    spec?: PodDisruptionBudgetSpec;
    status?: Partial<PodDisruptionBudgetStatus>;
  },
): void {
  validateObjectMeta(errs, pdb.metadata, { name: nameIsDNSSubdomain });
  const spec = pdb.spec ?? {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
    errs.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set');
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    intOrPercent(errs, `spec.${field}`, spec[field]);
    notMoreThan100Percent(errs, `spec.${field}`, spec[field]);
  }
  validateLabelSelector(errs, 'spec.selector', spec.selector ?? undefined);
  oneOf(
    errs,
    'spec.unhealthyPodEvictionPolicy',
    spec.unhealthyPodEvictionPolicy,
    UNHEALTHY_POD_EVICTION_POLICIES,
  );
  const status = pdb.status ?? {};
  for (const field of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const)
    nonNegative(errs, `status.${field}`, status[field]);
}
