import type { History, WorkloadSample } from '../history/history.js';

/** Which workloads a check looks at: by namespace and by name. */
export interface WorkloadSelect {
  namespace?: string;
  workload?: string;
}

/** Every sample of the selected workloads, in time order. */
export function selectWorkloads(history: History, select: WorkloadSelect): WorkloadSample[] {
  return history.series.workloads
    .filter(
      (s) =>
        (select.namespace === undefined || s.namespace === select.namespace) &&
        (select.workload === undefined || s.name === select.workload),
    )
    .sort((a, b) => a.t - b.t);
}

/** A workload's name as a person reads it: namespace/name. */
export function workloadKey(sample: WorkloadSample): string {
  return `${sample.namespace}/${sample.name}`;
}

/** The selection in words: "workload echo in namespace tenant-a", "every workload". */
export function workloadSelectWords(select: WorkloadSelect): string {
  const what = select.workload !== undefined ? `workload ${select.workload}` : 'any workload';
  return select.namespace !== undefined ? `${what} in namespace ${select.namespace}` : what;
}
