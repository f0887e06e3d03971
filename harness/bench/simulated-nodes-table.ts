import type { SimulatedNodesBenchResult } from './simulated-nodes-bench.js';

/** The simulated section of `crucible bench`: each cluster size of the ramp, and the largest that held beside its target and anchor. */
export function simulatedNodesTable(r: SimulatedNodesBenchResult, targetNodes: number): string[] {
  const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
  const cell = (v: string, width: number) => v.padStart(width);
  const verdict = r.largestHeld >= targetNodes ? 'met' : 'MISSED';
  const writesPerSecond = (nodes: number) => Math.round((nodes * 1000) / r.leaseRenewIntervalMs);
  return [
    `Simulated nodes: the largest cluster of one simulated kubelet this machine holds (etcd, apiserver, scheduler, controller-manager and the simulator as processes)`,
    `  profile ${r.profile}: a Lease renewed every ${s(r.leaseRenewIntervalMs)}, Unknown after ${s(r.nodeMonitorGracePeriodMs)} unrenewed, as kwok's nodes at upstream's defaults; the fast profile (250 ms, 1 s) would be 4 Lease writes per node per second`,
    `  held: every node Ready, none seen otherwise for ${s(r.holdMs)} while a Deployment of one pod per node rolled out, no Lease older than the grace period`,
    `  ${'nodes'.padStart(5)}${cell('Leases/s', 10)}${cell('all Ready', 11)}${cell('pods ready', 12)}${cell('oldest Lease', 14)}${cell('GET p50/p99 ms', 16)}${cell('peak RSS MiB sim/api/etcd', 27)}${cell('CPU % sim/api/etcd', 20)}  held`,
    ...r.steps.map((step) => {
      const p = step.processes;
      const rss = `${p.simulator.peakRssMiB.toFixed(0)}/${p.apiserver.peakRssMiB.toFixed(0)}/${p.etcd.peakRssMiB.toFixed(0)}`;
      const cpu = `${p.simulator.cpuPercent.toFixed(0)}/${p.apiserver.cpuPercent.toFixed(0)}/${p.etcd.cpuPercent.toFixed(0)}`;
      return `  ${String(step.nodes).padStart(5)}${cell(String(writesPerSecond(step.nodes)), 10)}${cell(s(step.nodesReadyMs), 11)}${cell(s(step.podsReadyMs), 12)}${cell(s(step.oldestLeaseAgeMs), 14)}${cell(`${step.apiGetP50Ms.toFixed(1)}/${step.apiGetP99Ms.toFixed(0)}`, 16)}${cell(rss, 27)}${cell(cpu, 20)}  ${step.held ? 'yes' : `NO: ${step.reason}`}`;
    }),
    `  largest that held   ${r.largestHeld} nodes   target ${targetNodes} ${verdict}; anchor: kwok ≈ 1k nodes per controller`,
    '',
  ];
}
