/**
 * The objects a pod names in its spec, found where Kubernetes' podutil.VisitPodConfigmapNames and
 * VisitPodSecretNames find them: what a kubelet has to read to run the pod, and so exactly what the
 * Node authorizer lets the pod's node read.
 */
import type { Pod } from './types.js';

/** The kinds of object a pod refers to by name and a kubelet reads on its behalf. */
export type PodReferencedResource = 'configmaps' | 'secrets';

/** The service account a pod runs as; one without a name runs as `default`, as admission would set. */
export function podServiceAccountName(pod: Pod): string {
  const legacy = pod.spec.serviceAccount;
  return pod.spec.serviceAccountName || (typeof legacy === 'string' && legacy) || 'default';
}

/**
 * The names of the `resource` objects (in the pod's own namespace) that `pod` refers to: through
 * its containers' `env[].valueFrom` and `envFrom` (init and ephemeral containers included), its
 * volumes (projected sources included) and, for secrets, its image pull secrets and the secret
 * references of volume plugins.
 */
export function podReferencedNames(pod: Pod, resource: PodReferencedResource): Set<string> {
  const names = new Set<string>();
  const add = (name: unknown) => {
    if (typeof name === 'string' && name !== '') names.add(name);
  };
  const refKey = resource === 'configmaps' ? 'configMapRef' : 'secretRef';
  const keyRefKey = resource === 'configmaps' ? 'configMapKeyRef' : 'secretKeyRef';
  const spec = pod.spec as unknown as Record<string, unknown>;
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const container of records(spec[list])) {
      for (const source of records(container.envFrom)) add(record(source[refKey]).name);
      for (const env of records(container.env)) add(record(record(env.valueFrom)[keyRefKey]).name);
    }
  }
  for (const volume of records(spec.volumes)) {
    if (resource === 'configmaps') add(record(volume.configMap).name);
    else {
      add(record(volume.secret).secretName);
      add(record(volume.azureFile).secretName);
      for (const plugin of SECRET_REF_PLUGINS) add(record(record(volume[plugin]).secretRef).name);
      add(record(record(volume.csi).nodePublishSecretRef).name);
    }
    for (const source of records(record(volume.projected).sources)) {
      add(record(source[resource === 'configmaps' ? 'configMap' : 'secret']).name);
    }
  }
  if (resource === 'secrets') for (const ref of records(spec.imagePullSecrets)) add(ref.name);
  return names;
}

/** Volume plugins whose credentials come from a `secretRef`. */
const SECRET_REF_PLUGINS = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : [];
}
