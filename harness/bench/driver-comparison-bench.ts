import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  BuiltinDriver,
  K6Driver,
  findK6,
  parseLoadSpec,
  urlTargets,
  type LoadDriver,
} from '../load/index.js';

/** One driver's figures in the comparison. */
export interface DriverFigures {
  driver: 'builtin' | 'k6';
  /** Requests sent per second, first intended start to last answer. */
  heldRate: number;
  sent: number;
  dropped: number;
  failed: number;
  /** What the target counted: the driver's own count should agree. */
  targetCounted: number;
  /** The driver's CPU time (user + system) for the whole run, in seconds. */
  cpuSeconds: number;
  cpuSecondsPer1000: number;
  /** Latency from the intended start, as the driver measured it. */
  p99Ms: number;
  /** The target's own time to answer, at its p99: the floor of any driver's latency. */
  targetP99Ms: number;
}

export interface DriverComparison {
  rate: number;
  durationSeconds: number;
  builtin: DriverFigures;
  /** Absent where k6 is not found (K6_BIN or PATH). */
  k6?: DriverFigures;
  /** builtin's requests per CPU-second ÷ k6's: the figure to improve (aim ≥ 2). */
  efficiencyRatio?: number;
}

/**
 * The builtin load driver beside the real k6, against the same target in the same run: an HTTP
 * server answering like the echo workload, in a process of its own (so neither driver's CPU
 * includes it), which counts what it served and times each answer. Each driver runs the same
 * open-model spec; its CPU is measured on its own process: the builtin driver's in this one, k6's
 * as a waited child (/proc/self/stat cutime + cstime).
 */
export async function benchDriverComparison(
  options: { rate?: number; durationSeconds?: number; progress?: (line: string) => void } = {},
): Promise<DriverComparison> {
  const rate = options.rate ?? 4000;
  const durationSeconds = options.durationSeconds ?? 5;
  const k6 = await findK6({ findImage: async () => undefined }).catch(() => undefined);
  const run = async (
    make: (spec: ReturnType<typeof parseLoadSpec>, url: string) => LoadDriver,
    name: 'builtin' | 'k6',
  ) => {
    const target = await startCountingTarget();
    try {
      const spec = parseLoadSpec({
        target: target.url,
        rate,
        duration: `${durationSeconds}s`,
        timeout: '5s',
        maxInFlight: 2000,
      });
      options.progress?.(`${name}: ${rate} req/s for ${durationSeconds} s against ${target.url}`);
      const before = cpu();
      const { summary } = await make(spec, target.url).run();
      const after = cpu();
      const used = name === 'builtin' ? after.self - before.self : after.children - before.children;
      const served = await target.stop();
      return {
        driver: name,
        heldRate: summary.rate,
        sent: summary.count,
        dropped: summary.dropped,
        failed: summary.failed,
        targetCounted: served.count,
        cpuSeconds: used,
        cpuSecondsPer1000: (1000 * used) / Math.max(1, summary.count),
        p99Ms: summary.latencyMs.p99,
        targetP99Ms: served.p99Ms,
      } satisfies DriverFigures;
    } finally {
      await target.stop();
    }
  };
  const builtin = await run((spec, url) => new BuiltinDriver(spec, urlTargets([url])), 'builtin');
  if (!k6 || k6.kind !== 'binary') return { rate, durationSeconds, builtin };
  const viaK6 = await run((spec, url) => new K6Driver(spec, urlTargets([url]), { runtime: k6 }), 'k6');
  const perCpu = (f: DriverFigures) => f.sent / Math.max(1e-6, f.cpuSeconds);
  return { rate, durationSeconds, builtin, k6: viaK6, efficiencyRatio: perCpu(builtin) / perCpu(viaK6) };
}

/** This process's CPU and its waited children's, in seconds (user + system). */
function cpu(): { self: number; children: number } {
  const usage = process.cpuUsage();
  // /proc/self/stat: fields 16 and 17 (cutime, cstime) count children waited for, in clock ticks.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const ticks = 100;
  return {
    self: (usage.user + usage.system) / 1e6,
    children: (Number(fields[13]) + Number(fields[14])) / ticks,
  };
}

/** The echo workload's answer (small JSON), counted and timed by the server itself. */
const COUNTING_TARGET = `
const http = require('node:http');
const times = [];
const server = http.createServer((req, res) => {
  const start = process.hrtime.bigint();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ pod: 'bench', counter: times.length + 1, path: req.url }));
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => {
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ count: times.length, p99Ms: times[Math.floor(times.length * 0.99)] ?? 0 }));
  process.exit(0);
});
`;

async function startCountingTarget(): Promise<{
  url: string;
  stop(): Promise<{ count: number; p99Ms: number }>;
}> {
  const child = spawn(process.execPath, ['-e', COUNTING_TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (waiting) waiting(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve) =>
      lines.length ? resolve(lines.shift()!) : (waiting = (l) => ((waiting = undefined), resolve(l))),
    );
  const { port } = JSON.parse(await next()) as { port: number };
  let stopped: Promise<{ count: number; p99Ms: number }> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopped ??= (async () => {
        child.kill('SIGTERM');
        return JSON.parse(await next()) as { count: number; p99Ms: number };
      })()),
  };
}
