import { findResource } from '../../orchestrator/api/resources.js';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { ServiceAccount, TokenRequest } from '../../orchestrator/api/types.js';
import { createOwnedNamespace } from '../cluster/index.js';
import type { Scenario, TenantSpec } from '../scenario/scenario.js';

const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
const ROLE_BINDINGS = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;
/** A tenant's token outlives any run (TokenRequest's own default is an hour). */
const TENANT_TOKEN_SECONDS = 24 * 3600;

/** The namespace the run keeps its own objects in (the durability writes): `crucible-<run>`. */
export function harnessNamespace(run: string): string {
  return `crucible-${run}`;
}

/** Every namespace the run creates: its own, each tenant's, and those the scenario declares. */
export function runNamespaces(scenario: Scenario, run: string): string[] {
  return [harnessNamespace(run), ...scenario.tenants.flatMap((t) => t.namespaces), ...scenario.namespaces];
}

/**
 * The run's namespaces, created as its own (labelled with the run), and each tenant's identity, as
 * on any Kubernetes cluster: a ServiceAccount named after the tenant in its first namespace, bound
 * to the `edit` ClusterRole in each of its namespaces and nowhere else, and a token for it from
 * the TokenRequest API. The tenants' tokens, by tenant.
 */
export async function setUpNamespaces(
  client: ApiClient,
  scenario: Scenario,
  run: string,
): Promise<Record<string, string>> {
  for (const namespace of runNamespaces(scenario, run)) await createOwnedNamespace(client, run, namespace);
  const tokens: Record<string, string> = {};
  for (const tenant of scenario.tenants) tokens[tenant.name] = await setUpTenant(client, tenant);
  return tokens;
}

async function setUpTenant(client: ApiClient, tenant: TenantSpec): Promise<string> {
  const home = tenant.namespaces[0]!;
  await client
    .create<ServiceAccount>(SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: tenant.name, namespace: home },
    })
    .catch(alreadyExists);
  for (const namespace of tenant.namespaces)
    await client
      .create(ROLE_BINDINGS, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `tenant-${tenant.name}-edit`, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ kind: 'ServiceAccount', name: tenant.name, namespace: home }],
      })
      .catch(alreadyExists);
  const request = await client.create<TokenRequest>(
    SERVICE_ACCOUNTS,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: tenant.name, namespace: home },
      spec: { audiences: [], expirationSeconds: TENANT_TOKEN_SECONDS },
    },
    'token',
  );
  return request.status!.token;
}

function alreadyExists(e: { reason?: string }): void {
  if (e.reason !== 'AlreadyExists') throw e;
}
