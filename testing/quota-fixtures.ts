import type { Container, Pod, ResourceQuota } from '../orchestrator/api/types.js';

/** A one-container sleeper pod, with the given requests/limits. */
export function quotaTestPod(namespace: string, name: string, resources?: Container['resources']): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'c', image: 'crucible/sleeper', ...(resources ? { resources } : {}) }] },
  };
}

/** A ResourceQuota with `spec.hard`. */
export function quotaTestQuota(namespace: string, name: string, hard: Record<string, string>): ResourceQuota {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace }, spec: { hard } };
}
