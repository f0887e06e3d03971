import { readFile } from 'node:fs/promises';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { requireState } from '../cluster/cluster-state.js';
import type { ClusterConnector } from './load-command.js';

/**
 * How `crucible load --cluster NAME` reaches a cluster from `crucible up`: its admin credentials
 * and its workers' host addresses. The client serves one lookup (the Service) and then closes, so
 * no connection outlives it.
 */
export const connectToCluster: ClusterConnector = async (name) => {
  const state = await requireState(name);
  const caPem = await readFile(state.caFile, 'utf8');
  const get: ApiClient['get'] = async (...args) => {
    const client = new ApiClient({ servers: state.apiservers, token: state.adminToken, caPem });
    try {
      return await client.get(...args);
    } finally {
      await client.close();
    }
  };
  return { client: { get }, workers: state.workers.map((w) => ({ name: w.name, ip: w.ip })) };
};
