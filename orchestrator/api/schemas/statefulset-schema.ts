/**
 * apps/v1 StatefulSet: structure and the checks of Kubernetes' `ValidateStatefulSetSpec`, and
 * ControllerRevision, the template snapshots it rolls between.
 */
import type { ObjectMeta, StatefulSetSpec } from '../types.js';
import { nonNegative, oneOf } from './checks.js';
import { child, type FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { kindShape, labelSelectorShape, validateObjectMeta } from './object-meta-schema.js';
import { podTemplateShape } from './pod-schema.js';
import {
  anyObject,
  anything,
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

/** A whole StatefulSet. */
export const statefulSetShape: Shape = kindShape({
  spec: object({
    replicas: int32(),
    selector: required(labelSelectorShape),
    template: required(podTemplateShape),
    volumeClaimTemplates: array(anyObject()),
    serviceName: string(),
    podManagementPolicy: string(),
    updateStrategy: object({
      type: string(),
      rollingUpdate: object({ partition: int32(), maxUnavailable: intOrString() }),
    }),
    revisionHistoryLimit: int32(),
    minReadySeconds: int32(),
    persistentVolumeClaimRetentionPolicy: object({ whenDeleted: string(), whenScaled: string() }),
    ordinals: object({ start: int32() }),
  }),
  status: object(
    {
      observedGeneration: int64(),
      replicas: int32(),
      readyReplicas: int32(),
      currentReplicas: int32(),
      updatedReplicas: int32(),
      availableReplicas: int32(),
      currentRevision: string(),
      updateRevision: string(),
      collisionCount: int32(),
      conditions: array(anyObject()),
    },
    { loose: true },
  ),
});

/** A whole ControllerRevision: `data` is any object (a patch of its owner), `revision` required. */
export const controllerRevisionShape: Shape = kindShape({ data: anything(), revision: required(int64()) });

/** Semantic checks of a whole StatefulSet. */
export function validateStatefulSet(
  errs: FieldErrors,
  sts: { metadata?: ObjectMeta; spec?: Partial<StatefulSetSpec> & { volumeClaimTemplates?: unknown[] } },
): void {
  validateObjectMeta(errs, sts.metadata, { name: nameIsDNSSubdomain });
  const spec = sts.spec ?? {};
  nonNegative(errs, 'spec.replicas', spec.replicas);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(errs, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  nonNegative(errs, 'spec.ordinals.start', spec.ordinals?.start);
  oneOf(errs, 'spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']);
  validateUpdateStrategy(errs, spec.updateStrategy);
  // The process runtime has no storage to claim: refused, never silently left out.
  if (spec.volumeClaimTemplates?.length) {
    errs.forbidden(
      'spec.volumeClaimTemplates',
      'volumeClaimTemplates are not supported: crucible has no PersistentVolumes (no storage provisioner); use emptyDir volumes in the template',
    );
  }
  validateSelectorAndTemplate(errs, spec as WorkloadSpecIn, 'statefulset', 'StatefulSet');
}

function validateUpdateStrategy(errs: FieldErrors, strategy: StatefulSetSpec['updateStrategy']): void {
  const path = 'spec.updateStrategy';
  const ruPath = child(path, 'rollingUpdate');
  switch (strategy?.type) {
    case undefined:
    case 'RollingUpdate':
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate)
        errs.invalid(ruPath, strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'");
      return;
    default:
      errs.notSupported(child(path, 'type'), strategy?.type, ['OnDelete', 'RollingUpdate']);
      return;
  }
  const ru = strategy?.rollingUpdate;
  if (!ru) return;
  nonNegative(errs, child(ruPath, 'partition'), ru.partition);
  // maxUnavailable is behind upstream's MaxUnavailableStatefulSet feature gate (alpha, off).
  if (ru.maxUnavailable !== undefined) {
    errs.forbidden(
      child(ruPath, 'maxUnavailable'),
      'maxUnavailable is not supported: it needs the MaxUnavailableStatefulSet feature gate, which is off, as by default upstream',
    );
  }
}

/** Semantic checks of a ControllerRevision (upstream's ValidateControllerRevision). */
export function validateControllerRevision(
  errs: FieldErrors,
  cr: { metadata?: ObjectMeta; revision?: number },
): void {
  validateObjectMeta(errs, cr.metadata, { name: nameIsDNSSubdomain });
  nonNegative(errs, 'revision', cr.revision);
}
