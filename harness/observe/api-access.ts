import { readFile } from 'node:fs/promises';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import type { ClusterState } from '../cluster/cluster-state.js';

/** How a recorder reaches the API: the apiservers, the CA they are signed by, and whose token. */
export interface ApiAccess {
  apiservers: readonly string[];
  caPem: string;
  token: string;
}

/** The admin's access to a cluster, from its state (reads the CA file). */
export async function adminAccess(
  state: Pick<ClusterState, 'apiservers' | 'caFile' | 'adminToken'>,
): Promise<ApiAccess> {
  return {
    apiservers: state.apiservers,
    caPem: await readFile(state.caFile, 'utf8'),
    token: state.adminToken,
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
    token: access.token,
    caPem: access.caPem,
    timeoutMs,
    retries,
    userAgent,
  });
}
