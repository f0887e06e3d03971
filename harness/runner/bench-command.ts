import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { benchApiLatency, type ApiLatencyResult } from '../bench/api-latency-bench.js';

interface BenchFlags {
  clients: string;
  objects: string;
  json?: string;
}

/** DESIGN.md §5: API latency p99 under load ≤ 20 ms (Kubernetes' SLO: 1 s). */
const API_P99_TARGET_MS = 20;

/** `crucible bench`: measures the DESIGN.md §5 figures, each beside its target and its floor. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure performance figures against the DESIGN.md targets')
    .option('--clients <list>', 'concurrent API clients; a comma-separated list measures each', '4,16')
    .option('--objects <n>', 'objects per verb', '2000')
    .option('--json <file>', 'also write the figures as JSON')
    .action(async (flags: BenchFlags) => {
      const clientCounts = flags.clients.split(',').map((c) => positiveInt(c.trim(), '--clients'));
      const objects = positiveInt(flags.objects, '--objects');
      const log = (line: string) => process.stderr.write(`  ${line}\n`);
      const results: ApiLatencyResult[] = [];
      const out: string[] = [];
      for (const clients of clientCounts) {
        process.stderr.write(
          `API latency: ${clients} concurrent clients, ${objects} objects per verb, real etcd, RBAC on\n`,
        );
        const api = await benchApiLatency({ clients, objects, namespaces: 20, progress: log });
        results.push(api);
        out.push(...apiLatencyTable(api));
      }
      out.push(
        `anchor: Kubernetes API call latency SLO p99 ≤ 1 s; crucible target p99 ≤ ${API_P99_TARGET_MS} ms`,
      );
      process.stdout.write(out.join('\n') + '\n');
      if (flags.json) {
        await writeFile(
          flags.json,
          JSON.stringify({ apiLatency: results, targetP99Ms: API_P99_TARGET_MS }, null, 2),
        );
      }
    });
}

function apiLatencyTable(api: ApiLatencyResult): string[] {
  const cell = (v: string | number, width: number) => String(v).padStart(width);
  const out = [
    `API latency per verb (ms), ${api.clients} concurrent clients`,
    `${'verb'.padEnd(10)}${cell('requests', 9)}${cell('errors', 8)}${cell('p50', 9)}${cell('p99', 9)}${cell('max', 9)}  target p99`,
  ];
  for (const r of [api.floor, ...api.verbs]) {
    const verdict = r.p99Ms <= API_P99_TARGET_MS ? 'met' : 'MISSED';
    const target = r === api.floor ? 'floor: no etcd' : `≤ ${API_P99_TARGET_MS} ${verdict}`;
    out.push(
      `${r.verb.padEnd(10)}${cell(r.requests, 9)}${cell(r.errors, 8)}${cell(r.p50Ms.toFixed(2), 9)}${cell(r.p99Ms.toFixed(2), 9)}${cell(r.maxMs.toFixed(2), 9)}  ${target}`,
    );
  }
  return out;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: "${text}" is not a positive whole number`);
  return n;
}
