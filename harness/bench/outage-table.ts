import type { LoadWindowTally } from './load-window.js';
import type { OutageBenchResult } from './outage-bench.js';

/** The outage section of `crucible bench`: requests per stretch of the run, the figure beside its target and anchor. */
export function outageTable(r: OutageBenchResult, targetFailed: number): string[] {
  const cell = (v: string | number, width: number) => String(v).padStart(width);
  const kinds = (w: LoadWindowTally) =>
    Object.entries(w.failuresByKind)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
  const row = (label: string, w: LoadWindowTally & { durationMs: number }, note = '') =>
    `  ${`${label} (${(w.durationMs / 1000).toFixed(1)} s)`.padEnd(24)}${cell(w.sent, 7)}${cell(w.failed, 8)}${cell(w.dropped, 9)}  ${[kinds(w), note].filter(Boolean).join('; ')}`.trimEnd();
  const verdict = r.outage.failed <= targetFailed ? 'met' : 'MISSED';
  return [
    `Control plane down ${(r.outageMs / 1000).toFixed(0)} s (${r.killed.join(', ')} killed), echo at ${r.rate} requests/s through ${r.workers} workers' node ports (${r.provider} provider)`,
    `  ${'stretch'.padEnd(24)}${cell('sent', 7)}${cell('failed', 8)}${cell('dropped', 9)}  failures by kind`,
    row('before', r.before),
    row(
      'outage',
      r.outage,
      `target ${targetFailed} ${verdict}; anchor: Kubernetes: data plane keeps serving`,
    ),
    row(
      'after heal',
      r.afterHeal,
      `control plane back ${(r.controlPlaneBackMs / 1000).toFixed(1)} s after the heal`,
    ),
    row('whole run', r.whole),
    '',
  ];
}
