import { ApiClient, type ClientCertificate } from '../../orchestrator/api/client/index.js';
import type { RunningCluster } from '../cluster/index.js';

/** How a recorder reaches the API: the apiservers, the CA they are signed by, and who it is (a token, or a client certificate). */
export interface ApiAccess {
  apiservers: readonly string[];
  caPem: string;
  token?: string;
  clientCert?: ClientCertificate;
}

/** The admin's access to a cluster. */
export function adminAccess(cluster: Pick<RunningCluster, 'record' | 'credentials'>): ApiAccess {
  const { adminToken, adminClientCert, caPem } = cluster.credentials;
  return {
    apiservers: cluster.record.apiservers,
    caPem,
    ...(adminToken ? { token: adminToken } : {}),
    ...(adminClientCert ? { clientCert: adminClientCert } : {}),
  };
}

/**
 * A client for a recorder: a short deadline and, unless asked, no retries, so that a sample
 * records what the API did at that moment rather than what it did after trying again.
 */
export function observerClient(
  access: ApiAccess,
  userAgent: string,
  { timeoutMs = 2000, retries = 0 }: { timeoutMs?: number; retries?: number } = {},
): ApiClient {
  return new ApiClient({
    servers: [...access.apiservers],
    ...(access.token ? { token: access.token } : {}),
    ...(access.clientCert ? { clientCert: access.clientCert } : {}),
    caPem: access.caPem,
    timeoutMs,
    retries,
    userAgent,
  });
}
