import { readHarnessCredentials } from './cluster-credentials.js';
import { requireClusterRecord } from './cluster-record.js';
import { providerFor } from './choose-provider.js';
import type { RunningCluster } from './running-cluster.js';

/** The live handle of a cluster that is up (from `crucible up`, or a kept run), by name. */
export async function openCluster(name: string): Promise<RunningCluster> {
  const record = await requireClusterRecord(name);
  return providerFor(record.provider).attach(record, await readHarnessCredentials(name));
}
