import { controllerOwnerReference } from '../api/pod-helpers.js';
import type { ResourceType } from '../api/resources.js';
import type { KubeObject, Pod, PodTemplateSpec } from '../api/types.js';

/**
 * A pod of `owner` made from its template, as upstream's GetPodFromTemplate makes it: named after
 * the owner with a generated suffix, the template's labels and annotations copied, the owner as
 * its controller.
 */
export function podFromTemplate(
  owner: KubeObject,
  ownerResource: ResourceType,
  template: PodTemplateSpec,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...template.metadata?.labels },
      annotations: template.metadata?.annotations ? { ...template.metadata.annotations } : undefined,
      ownerReferences: [controllerOwnerReference(owner, ownerResource)],
    },
    spec: structuredClone(template.spec),
  };
}
