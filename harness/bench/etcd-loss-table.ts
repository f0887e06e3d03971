import type { EtcdLossBenchResult } from './etcd-loss-bench.js';
import type { ProbeTally } from './probe-tally.js';

/** The etcd member loss section of `crucible bench`: each round, the whole, and the floor with every member up. */
export function etcdLossTable(r: EtcdLossBenchResult, target: number): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const cell = (v: string, width: number) => v.padStart(width);
  const row = (label: string, reads: ProbeTally, writes: ProbeTally) =>
    `  ${label.padEnd(16)}${cell(`${reads.requests - reads.failed}/${reads.requests}`, 10)}${cell(pct(reads.availability), 9)}${cell(reads.p99Ms.toFixed(0), 8)}${cell(`${writes.requests - writes.failed}/${writes.requests}`, 11)}${cell(pct(writes.availability), 9)}${cell(writes.p99Ms.toFixed(0), 8)}`;
  const verdict = r.reads.availability >= target ? 'met' : 'MISSED';
  const failures = [
    ...r.reads.failures.map((f) => `read: ${f}`),
    ...r.writes.failures.map((f) => `write: ${f}`),
  ];
  return [
    `API availability while 1 of 3 etcd members is lost (${r.provider} provider): each member in turn killed for ${r.lossMs / 1000} s; reads (GET of a Namespace, 1 s deadline) ${r.probeRate}/s, writes (PATCH of a ConfigMap) ${r.writeRate}/s`,
    `  ${'window'.padEnd(16)}${cell('reads ok', 10)}${cell('', 9)}${cell('p99 ms', 8)}${cell('writes ok', 11)}${cell('', 9)}${cell('p99 ms', 8)}`,
    row('floor: all up', r.floor.reads, r.floor.writes),
    ...r.rounds.flatMap((round) => [
      row(`${round.member} lost`, round.reads, round.writes),
      ...(['reads', 'writes'] as const).flatMap((what) =>
        round[what].failedFromMs !== undefined
          ? [
              `    ${what} failed from ${round[what].failedFromMs} ms to ${round[what].failedUntilMs} ms after the kill`,
            ]
          : [],
      ),
    ]),
    row('all losses', r.reads, r.writes),
    `  API availability (reads, as the api-availability check probes) ${pct(r.reads.availability)}   target ≥ ${pct(target)} ${verdict}; anchor: kube-apiserver retries on another member`,
    ...(failures.length ? [`  failures: ${failures.slice(0, 6).join('; ')}`] : []),
    '',
  ];
}
