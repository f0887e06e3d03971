/**
 * Observation of an experiment run: the history's format, the recorders that sample the cluster
 * while the run goes on (API view, API probe, kubelet ground truth, durability writes, the
 * isolation battery), and the assembly of their parts into one history.
 */
export * from './history.js';
export { adminAccess, type ApiAccess } from './api-access.js';
export { ApiProbeRecorder, type ApiProbeRecorderOptions } from './api-probe-recorder.js';
export { ClusterStateRecorder, type ClusterStateRecorderOptions } from './cluster-state-recorder.js';
export { DurabilityWriter, type DurabilityWriterOptions } from './durability-writer.js';
export { GroundTruthRecorder, type GroundTruthRecorderOptions } from './ground-truth-recorder.js';
export { assembleHistory, type HistoryAssembly, type HistoryPart } from './history-assembler.js';
export { HistoryError, type HistoryErrorCode } from './history-error.js';
export {
  ALL_NAMESPACES,
  ISOLATION_PROBE_LABEL,
  IsolationBattery,
  type IsolationBatteryOptions,
  type IsolationTenant,
} from './isolation-battery.js';
export { toLoadSeconds } from './load-seconds.js';
export { readHistory } from './read-history.js';
export type { RecorderOptions } from './recorder-options.js';
