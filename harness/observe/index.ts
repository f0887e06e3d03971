/**
 * The recorders that sample the cluster while an experiment runs (API view, API probe, kubelet
 * ground truth, durability writes, the isolation battery); each contributes a part of the history.
 */
export { adminAccess, type ApiAccess } from './api-access.js';
export { ApiProbeRecorder, type ApiProbeRecorderOptions } from './api-probe-recorder.js';
export { ClusterStateRecorder, type ClusterStateRecorderOptions } from './cluster-state-recorder.js';
export { DurabilityWriter, type DurabilityWriterOptions } from './durability-writer.js';
export {
  GroundTruthRecorder,
  type GroundTruthRecorderOptions,
  type GroundTruthWorker,
  type KubeletPodsAnswer,
} from './ground-truth-recorder.js';
export { groundTruthPods, groundTruthPodsOf } from './kubelet-pod-list.js';
export {
  NodeProxyError,
  nodeProxyPodsReader,
  readPodsThroughNodeProxy,
  type NodeProxyErrorCode,
  type NodeProxyReadOptions,
} from './node-proxy-pods.js';
export {
  ALL_NAMESPACES,
  ISOLATION_PROBE_LABEL,
  IsolationBattery,
  type IsolationBatteryOptions,
  type IsolationTenant,
} from './isolation-battery.js';
export { InPodProbes, PROBE_POD, type EscapeTargets, type InPodProbesOptions } from './in-pod-probes.js';
export { toLoadSeconds } from './load-seconds.js';
export type { RecorderOptions } from './recorder-options.js';
