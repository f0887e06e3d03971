import type { RecoveryBenchResult } from './recovery-bench.js';

/** The recovery section of `crucible bench`: every round, the medians, and the figure beside its target, anchors and floor. */
export function recoveryTable(r: RecoveryBenchResult, targetMs: number): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const cell = (v: string, width: number) => v.padStart(width);
  const t = r.timing;
  const m = r.median;
  const verdict = m.recoveryMs <= targetMs ? 'met' : 'MISSED';
  const row = (label: string, x: Omit<RecoveryBenchResult['rounds'][number], 'killMs'>) =>
    `  ${label.padEnd(7)}${cell(s(x.detectionMs), 11)}${cell(s(x.evictionMs), 11)}${cell(s(x.recoveryMs), 11)}${cell(s(x.podStartMs), 15)}${cell(s(x.floorMs), 9)}${cell((x.recoveryMs / x.floorMs).toFixed(2), 16)}`;
  return [
    `Recovery after losing 1 of ${r.workers} workers (profile fast, ${r.provider} provider): ${r.replicas} echo pods, ${r.lostNode} killed ${r.rounds.length} times`,
    `  node-monitor-grace-period ${s(t.nodeMonitorGracePeriodMs)}${r.gracePeriodOverridden ? ' (overridden on the controller-manager)' : " (the profile's)"}, monitor period ${s(t.nodeMonitorPeriodMs)}, toleration ${t.defaultTolerationSeconds} s, Lease renewed every ${s(t.nodeLeaseRenewIntervalMs)}`,
    `  ${'round'.padEnd(7)}${cell('detection', 11)}${cell('eviction', 11)}${cell('recovery', 11)}${cell('one pod start', 15)}${cell('floor', 9)}${cell('recovery/floor', 16)}`,
    ...r.rounds.map((round, i) => row(String(i + 1), round)),
    row('median', m),
    `  recovery (median)   ${s(m.recoveryMs)}   target ≤ ${targetMs / 1000} s ${verdict}; anchors: Kubernetes defaults ≈ 5 min 50 s; tuned ≈ 50 s`,
    `  floor: the soonest eviction configured ${s(r.configured.earliestEvictionMs)} (grace − one Lease renew interval + toleration ${t.defaultTolerationSeconds} s) + one pod start ${s(m.podStartMs)} = ${s(m.floorMs)}; ratio ${(m.recoveryMs / m.floorMs).toFixed(2)}`,
    `  live workers that flapped (Ready → not Ready while never killed): ${r.liveNodeFlaps}`,
    `  detection (median) ${s(m.detectionMs)}, configured between ${s(r.configured.earliestDetectionMs)} and ${s(r.configured.latestDetectionMs)} (grace − one renew interval … grace + two monitor periods)`,
    '',
  ];
}
