import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { benchApiLatency } from '../bench/api-latency-bench.js';

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
    .option('--clients <n>', 'concurrent API clients', '16')
    .option('--objects <n>', 'objects per verb', '2000')
    .option('--json <file>', 'also write the figures as JSON')
    .action(async (flags: BenchFlags) => {
      const clients = positiveInt(flags.clients, '--clients');
      const objects = positiveInt(flags.objects, '--objects');
      const log = (line: string) => process.stderr.write(`  ${line}\n`);
      process.stderr.write(
        `API latency: ${clients} concurrent clients, ${objects} objects per verb, real etcd, RBAC on\n`,
      );
      const api = await benchApiLatency({ clients, objects, namespaces: 20, progress: log });
      const rows = [api.floor, ...api.verbs];
      const out: string[] = [];
      out.push('API latency per verb (ms)');
      out.push(
        `${'verb'.padEnd(10)}${'requests'.padStart(9)}${'errors'.padStart(8)}${'p50'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}  target p99`,
      );
      for (const r of rows) {
        const target =
          r === api.floor
            ? 'floor: no etcd'
            : `≤ ${API_P99_TARGET_MS} ${r.p99Ms <= API_P99_TARGET_MS ? 'met' : 'MISSED'}`;
        out.push(
          `${r.verb.padEnd(10)}${String(r.requests).padStart(9)}${String(r.errors).padStart(8)}${r.p50Ms.toFixed(2).padStart(9)}${r.p99Ms.toFixed(2).padStart(9)}${r.maxMs.toFixed(2).padStart(9)}  ${target}`,
        );
      }
      out.push(
        `anchor: Kubernetes API call latency SLO p99 ≤ 1 s; crucible target p99 ≤ ${API_P99_TARGET_MS} ms`,
      );
      process.stdout.write(out.join('\n') + '\n');
      if (flags.json)
        await writeFile(
          flags.json,
          JSON.stringify({ apiLatency: { ...api, targetP99Ms: API_P99_TARGET_MS } }, null, 2),
        );
    });
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: "${text}" is not a positive whole number`);
  return n;
}
