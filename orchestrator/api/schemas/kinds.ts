/**
 * The admission table: for each kind the apiserver serves, its structure and its semantic
 * checks. A kind missing here is admitted with only its metadata checked.
 */
import type { KubeObject } from '../types.js';
import { validateLease, leaseShape } from './coordination-schemas.js';
import {
  configMapShape,
  endpointsShape,
  eventShape,
  namespaceShape,
  nodeShape,
  resourceQuotaShape,
  serviceAccountShape,
  validateConfigMap,
  validateEndpoints,
  validateEvent,
  validateNamespace,
  validateNode,
  validateResourceQuota,
  validateServiceAccount,
} from './core-schemas.js';
import type { FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { objectMetaShape, validateObjectMeta } from './object-meta-schema.js';
import { podShape, validatePod } from './pod-schema.js';
import { podDisruptionBudgetShape, validatePodDisruptionBudget } from './policy-schemas.js';
import {
  clusterRoleBindingShape,
  clusterRoleShape,
  roleBindingShape,
  roleShape,
  validateBinding,
  validateRole,
} from './rbac-schemas.js';
import { daemonSetShape, validateDaemonSet } from './daemonset-schema.js';
import { cronJobShape, validateCronJob } from './cronjob-schema.js';
import {
  horizontalPodAutoscalerShape,
  validateHorizontalPodAutoscaler,
} from './horizontal-pod-autoscaler-schema.js';
import { jobShape, validateJob } from './job-schema.js';
import { networkPolicyShape, validateNetworkPolicy } from './network-policy-schema.js';
import { secretShape, validateSecret } from './secret-schema.js';
import {
  controllerRevisionShape,
  statefulSetShape,
  validateControllerRevision,
  validateStatefulSet,
} from './statefulset-schema.js';
import { serviceShape, validateService } from './service-schema.js';
import { object, string, type Shape } from './shape.js';
import {
  deploymentShape,
  replicaSetShape,
  validateDeployment,
  validateReplicaSet,
} from './workload-schemas.js';

/** How one kind is admitted. */
export interface KindSchema {
  /** JSON structure and known fields of the whole object. */
  readonly shape: Shape;
  /** Semantic checks of a decoded object, reported into `errs`. */
  readonly validate: (errs: FieldErrors, obj: KubeObject) => void;
}

// The decoded object has the shape's types, which each validator states as its parameter type.
function kind<T>(shape: Shape, validate: (errs: FieldErrors, obj: T) => void): KindSchema {
  return { shape, validate: (errs, obj) => validate(errs, obj as T) };
}

const KINDS: Readonly<Record<string, KindSchema>> = {
  Pod: kind(podShape, validatePod),
  Deployment: kind(deploymentShape, validateDeployment),
  ReplicaSet: kind(replicaSetShape, validateReplicaSet),
  StatefulSet: kind(statefulSetShape, validateStatefulSet),
  DaemonSet: kind(daemonSetShape, validateDaemonSet),
  Job: kind(jobShape, validateJob),
  CronJob: kind(cronJobShape, validateCronJob),
  HorizontalPodAutoscaler: kind(horizontalPodAutoscalerShape, validateHorizontalPodAutoscaler),
  ControllerRevision: kind(controllerRevisionShape, validateControllerRevision),
  Service: kind(serviceShape, validateService),
  Namespace: kind(namespaceShape, validateNamespace),
  Node: kind(nodeShape, validateNode),
  Endpoints: kind(endpointsShape, validateEndpoints),
  ConfigMap: kind(configMapShape, validateConfigMap),
  Secret: kind(secretShape, validateSecret),
  Event: kind(eventShape, validateEvent),
  ResourceQuota: kind(resourceQuotaShape, validateResourceQuota),
  ServiceAccount: kind(serviceAccountShape, validateServiceAccount),
  Lease: kind(leaseShape, validateLease),
  PodDisruptionBudget: kind(podDisruptionBudgetShape, validatePodDisruptionBudget),
  NetworkPolicy: kind(networkPolicyShape, validateNetworkPolicy),
  Role: kind(roleShape, (errs, obj: Parameters<typeof validateRole>[1]) => validateRole(errs, obj, true)),
  ClusterRole: kind(clusterRoleShape, (errs, obj: Parameters<typeof validateRole>[1]) =>
    validateRole(errs, obj, false),
  ),
  RoleBinding: kind(roleBindingShape, (errs, obj: Parameters<typeof validateBinding>[1]) =>
    validateBinding(errs, obj, true),
  ),
  ClusterRoleBinding: kind(clusterRoleBindingShape, (errs, obj: Parameters<typeof validateBinding>[1]) =>
    validateBinding(errs, obj, false),
  ),
};

const GENERIC: KindSchema = {
  shape: object({ apiVersion: string(), kind: string(), metadata: objectMetaShape }, { loose: true }),
  validate: (errs, obj) => validateObjectMeta(errs, obj.metadata, { name: nameIsDNSSubdomain }),
};

/** The admission schema of `kind`, or the metadata-only one for kinds without a schema. */
export function kindSchema(kindName: string): KindSchema {
  return Object.hasOwn(KINDS, kindName) ? (KINDS[kindName] as KindSchema) : GENERIC;
}

/** The kinds with a full schema. */
export function schemaKinds(): string[] {
  return Object.keys(KINDS);
}
