import { readFile } from 'node:fs/promises';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import type { ClusterState } from './cluster-state.js';

/** An API client of the cluster's admin, failing over across its apiservers. The caller closes it. */
export async function adminClient(state: ClusterState): Promise<ApiClient> {
  return new ApiClient({
    servers: state.apiservers,
    token: state.adminToken,
    caPem: await readFile(state.caFile, 'utf8'),
  });
}

/** Runs `work` with an admin client that is closed afterwards, whatever happens. */
export async function withAdminClient<T>(
  state: ClusterState,
  work: (client: ApiClient) => Promise<T>,
): Promise<T> {
  const client = await adminClient(state);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
