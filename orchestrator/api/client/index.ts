/**
 * The client machinery of client-go for crucible's components: a typed REST client, informers
 * over an indexed cache of frozen objects, a rate-limited work queue, and Lease leader election.
 * Components talk to the apiserver only through these.
 */
export {
  ApiClient,
  type ApiClientOptions,
  type ClientCertificate,
  listAll,
  nodeProxyPath,
  type DeleteOptions,
  type GetPathOptions,
  type ListAllOptions,
  type ListOptions,
  type PatchType,
  type WatchOptions,
} from './api-client.js';
export {
  Informer,
  type InformerClient,
  type InformerErrorSource,
  type InformerHandlers,
  type InformerOptions,
} from './informer.js';
export { LeaderElector, type LeaderElectorClient, type LeaderElectorOptions } from './leader-elector.js';
export { ManualTimers } from './manual-timers.js';
export {
  ObjectCache,
  byNamespace,
  byNodeName,
  byOwnerUid,
  objectKey,
  type CacheReader,
  type IndexFunc,
} from './object-cache.js';
export { systemTimers, type TimerScheduler } from './timer-scheduler.js';
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
export { InformerFactory, type InformerFactoryOptions } from './informer-factory.js';
export { EventRecorder } from './event-recorder.js';
export { ReconcileLoop, type ReconcileLoopOptions } from './reconcile-loop.js';
