/** apps/v1 DaemonSet: structure and the checks of Kubernetes' `ValidateDaemonSetSpec`. */
import type { DaemonSetSpec, ObjectMeta } from '../types.js';
import { intOrPercent, nonNegative } from './checks.js';
import { child, type FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { kindShape, labelSelectorShape, validateObjectMeta } from './object-meta-schema.js';
import { podTemplateShape } from './pod-schema.js';
import {
  anyObject,
  array,
  int32,
  int64,
  intOrString,
  object,
  required,
  string,
  type Shape,
} from './shape.js';
import { validateSelectorAndTemplate, type WorkloadSpecIn } from './workload-schemas.js';

/** A whole DaemonSet. */
export const daemonSetShape: Shape = kindShape({
  spec: object({
    selector: required(labelSelectorShape),
    template: required(podTemplateShape),
    updateStrategy: object({
      type: string(),
      rollingUpdate: object({ maxUnavailable: intOrString(), maxSurge: intOrString() }),
    }),
    minReadySeconds: int32(),
    revisionHistoryLimit: int32(),
  }),
  status: object(
    {
      currentNumberScheduled: int32(),
      numberMisscheduled: int32(),
      desiredNumberScheduled: int32(),
      numberReady: int32(),
      observedGeneration: int64(),
      updatedNumberScheduled: int32(),
      numberAvailable: int32(),
      numberUnavailable: int32(),
      collisionCount: int32(),
      conditions: array(anyObject()),
    },
    { loose: true },
  ),
});

const isZero = (v: number | string | undefined) => v === 0 || (typeof v === 'string' && /^0+%$/.test(v));

/** Semantic checks of a whole DaemonSet. */
export function validateDaemonSet(
  errs: FieldErrors,
  ds: { metadata?: ObjectMeta; spec?: Partial<DaemonSetSpec> },
): void {
  validateObjectMeta(errs, ds.metadata, { name: nameIsDNSSubdomain });
  const spec = ds.spec ?? {};
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(errs, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  validateSelectorAndTemplate(errs, spec as WorkloadSpecIn, 'daemonset', 'DaemonSet');
  const path = 'spec.updateStrategy';
  const strategy = spec.updateStrategy;
  switch (strategy?.type) {
    case undefined:
    case 'RollingUpdate':
      break;
    case 'OnDelete':
      return;
    default:
      errs.notSupported(child(path, 'type'), strategy?.type, ['OnDelete', 'RollingUpdate']);
      return;
  }
  const ru = strategy?.rollingUpdate;
  if (!ru) return;
  const ruPath = child(path, 'rollingUpdate');
  intOrPercent(errs, child(ruPath, 'maxUnavailable'), ru.maxUnavailable);
  intOrPercent(errs, child(ruPath, 'maxSurge'), ru.maxSurge);
  if (ru.maxSurge !== undefined && !isZero(ru.maxSurge)) {
    // Refused rather than ignored: a surge would run two daemon pods on a node at once.
    errs.forbidden(
      child(ruPath, 'maxSurge'),
      'maxSurge is not supported by crucible: daemon pods are replaced with maxUnavailable only (set maxSurge to 0)',
    );
  } else if (isZero(ru.maxUnavailable)) {
    errs.invalid(child(ruPath, 'maxUnavailable'), ru.maxUnavailable, 'cannot be 0 when maxSurge is 0');
  }
}
