/**
 * The parsed protobuf schema and the table from apiVersion+kind to message type.
 */
import protobuf from 'protobufjs';
import { KUBERNETES_PROTO_FILES } from './kubernetes-proto.js';

/** A message type of the schema. */
export type ProtoType = protobuf.Type;

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const file of KUBERNETES_PROTO_FILES) {
    protobuf.parse(`syntax = "proto2";\npackage ${file.package};\n${file.source}`, root, { keepCase: true });
  }
  root.resolveAll();
  return root;
}

/** Every transcribed message, resolved; `lookupType('k8s.io.api.core.v1.Pod')` etc. */
export const SCHEMA_ROOT: protobuf.Root = loadRoot();

const PACKAGE_OF_API_VERSION: Readonly<Record<string, string>> = {
  v1: 'k8s.io.api.core.v1',
  'apps/v1': 'k8s.io.api.apps.v1',
  'batch/v1': 'k8s.io.api.batch.v1',
  'coordination.k8s.io/v1': 'k8s.io.api.coordination.v1',
  'rbac.authorization.k8s.io/v1': 'k8s.io.api.rbac.v1',
  'authorization.k8s.io/v1': 'k8s.io.api.authorization.v1',
  'authentication.k8s.io/v1': 'k8s.io.api.authentication.v1',
  'autoscaling/v1': 'k8s.io.api.autoscaling.v1',
  'policy/v1': 'k8s.io.api.policy.v1',
};

const KINDS_OF_API_VERSION: Readonly<Record<string, readonly string[]>> = {
  v1: [
    'Namespace',
    'ConfigMap',
    'Secret',
    'Pod',
    'Service',
    'ServiceAccount',
    'ResourceQuota',
    'Endpoints',
    'Event',
    'Node',
    'Binding',
  ],
  'apps/v1': ['Deployment', 'ReplicaSet'],
  'batch/v1': ['Job', 'CronJob'],
  'coordination.k8s.io/v1': ['Lease'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'authorization.k8s.io/v1': ['SelfSubjectAccessReview'],
  'authentication.k8s.io/v1': ['TokenRequest'],
  'autoscaling/v1': ['Scale', 'HorizontalPodAutoscaler'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
};

const DELETE_OPTIONS = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';

/**
 * The message type for a top-level object, or undefined when we do not carry its schema.
 * DeleteOptions is accepted under any apiVersion: client-go stamps it with the group version of
 * the resource being deleted (`apps/v1`), and the server registers it in every group.
 */
export function messageTypeFor(apiVersion: string, kind: string): ProtoType | undefined {
  if (kind === 'DeleteOptions') return SCHEMA_ROOT.lookupType(DELETE_OPTIONS);
  const pkg = PACKAGE_OF_API_VERSION[apiVersion];
  if (!pkg || !KINDS_OF_API_VERSION[apiVersion]?.includes(kind)) return undefined;
  return SCHEMA_ROOT.lookupType(`${pkg}.${kind}`);
}

/** The runtime.Unknown envelope every protobuf body travels in. */
export const UNKNOWN_TYPE: ProtoType = SCHEMA_ROOT.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
