import type { GroundTruthPod, GroundTruthSample, History } from '../history/history.js';

/**
 * How many of a workload's pods the kubelets themselves said were running at `t`: for each node,
 * its latest ground-truth sample at or before `t`; a node whose kubelet did not answer counts as
 * running none (nothing shows they run). A workload's pods are those of its namespace named
 * `<workload>-…`, as a Deployment names them. Undefined when no kubelet reported one of the
 * workload's pods at or before `t`: then only the API's view is known — there is no ground truth
 * yet, or the workload runs where no kubelet answers for it (simulated nodes run nothing and
 * serve no read-only view).
 *
 * This is what lets a check see through a stale API: with the node lifecycle controller down,
 * the API goes on calling a lost node's pods Ready; their kubelet says otherwise.
 */
export function runningReplicasAt(
  history: History,
  namespace: string,
  workload: string,
  t: number,
): number | undefined {
  const ofWorkload = (pod: GroundTruthPod) =>
    pod.namespace === namespace && pod.name.startsWith(`${workload}-`);
  const latest = new Map<string, GroundTruthSample>();
  let reported = false;
  for (const s of history.groundTruth) {
    if (s.t > t) continue;
    if ((latest.get(s.node)?.t ?? -Infinity) <= s.t) latest.set(s.node, s);
    reported ||= s.pods.some(ofWorkload);
  }
  if (!reported) return undefined;
  const pods = new Set<string>();
  for (const sample of latest.values())
    if (sample.reachable)
      for (const pod of sample.pods) if (ofWorkload(pod) && pod.containers.length > 0) pods.add(pod.name);
  return pods.size;
}
