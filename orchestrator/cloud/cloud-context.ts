import type { Logger } from 'pino';
import type { ApiClient, EventRecorder, InformerFactory } from '../api/client/index.js';
import type { CloudProvider } from './cloud-provider.js';

/** What the cloud-controller-manager's controllers are given. */
export interface CloudContext {
  client: ApiClient;
  informers: InformerFactory;
  recorder: EventRecorder;
  log: Logger;
  cloud: CloudProvider;
  /** How often instances are asked whether each node's machine still exists. */
  nodeMonitorPeriodMs: number;
}
