import { findResource } from '../../orchestrator/api/resources.js';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { TenantSpec } from '../scenario/scenario.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const ROLE_BINDINGS = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;

/**
 * Each tenant's namespaces, and its user (named after the tenant, with its own bearer token)
 * bound to the `edit` ClusterRole in them and nowhere else: the unit of isolation the checks probe.
 * Idempotent: what exists already is left as it is.
 */
export async function setUpTenants(client: ApiClient, tenants: readonly TenantSpec[]): Promise<void> {
  for (const tenant of tenants)
    for (const namespace of tenant.namespaces) {
      await client
        .create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })
        .catch(alreadyExists);
      await client
        .create(ROLE_BINDINGS, {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: `tenant-${tenant.name}-edit`, namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: tenant.name }],
        })
        .catch(alreadyExists);
    }
}

function alreadyExists(e: { reason?: string }): void {
  if (e.reason !== 'AlreadyExists') throw e;
}
