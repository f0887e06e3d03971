import { ApiClient } from '../../orchestrator/api/client/index.js';
import type { RunningCluster } from './running-cluster.js';

type Reachable = Pick<RunningCluster, 'record' | 'credentials'>;

/** An API client of the cluster's admin, failing over across its apiservers. The caller closes it. */
export function adminClient(cluster: Reachable): ApiClient {
  const { adminToken, adminClientCert, caPem } = cluster.credentials;
  return new ApiClient({
    servers: cluster.record.apiservers,
    ...(adminToken ? { token: adminToken } : {}),
    ...(adminClientCert ? { clientCert: adminClientCert } : {}),
    caPem,
  });
}

/** Runs `work` with an admin client that is closed afterwards, whatever happens. */
export async function withAdminClient<T>(
  cluster: Reachable,
  work: (client: ApiClient) => Promise<T>,
): Promise<T> {
  const client = adminClient(cluster);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
