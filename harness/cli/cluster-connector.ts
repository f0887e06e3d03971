import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { openCluster, withAdminClient } from '../cluster/index.js';
import type { ClusterConnector } from './load-command.js';

/**
 * How `crucible load --cluster NAME` reaches a cluster from `crucible up`: its admin credentials
 * and its workers' host addresses. The client serves one lookup (the Service) and then closes, so
 * no connection outlives it.
 */
export const connectToCluster: ClusterConnector = async (name) => {
  const cluster = await openCluster(name);
  const get: ApiClient['get'] = (...args) => withAdminClient(cluster, (client) => client.get(...args));
  return { client: { get }, workers: cluster.record.workers.map((w) => ({ name: w.name, ip: w.ip })) };
};
