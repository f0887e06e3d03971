import { readFile } from 'node:fs/promises';
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
