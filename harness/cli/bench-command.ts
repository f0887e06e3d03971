import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { benchApiLatency, type ApiLatencyResult } from '../bench/api-latency-bench.js';
import { benchBoot, type BootBenchResult } from '../bench/boot-bench.js';
import { benchProxy } from '../bench/proxy-bench.js';
import { benchBuiltinDriver } from '../load/load-bench.js';
import { benchDriverComparison, type DriverComparison } from '../bench/driver-comparison-bench.js';
import { dockerEngineAnswers, type ProviderName } from '../cluster/index.js';
import { benchPodStartup, type PodStartupResult } from '../bench/pod-startup-bench.js';
import { benchScheduling, type SchedulingBenchResult } from '../bench/scheduling-bench.js';
import { benchRecovery, type RecoveryBenchResult } from '../bench/recovery-bench.js';
import { recoveryTable } from '../bench/recovery-table.js';
import { benchOutage } from '../bench/outage-bench.js';
import { benchEtcdLoss } from '../bench/etcd-loss-bench.js';
import { etcdLossTable } from '../bench/etcd-loss-table.js';
import { outageTable } from '../bench/outage-table.js';
import { benchSimulatedNodes, simulatedNodesRamp } from '../bench/simulated-nodes-bench.js';
import { simulatedNodesTable } from '../bench/simulated-nodes-table.js';
import { parseDuration } from '../../orchestrator/api/duration.js';
import { UsageError } from './usage-error.js';

interface BenchFlags {
  only: string;
  clients: string;
  objects: string;
  nodes: string;
  pods: string;
  rounds: string;
  nodeMonitorGracePeriod?: string;
  outage: string;
  outageRate: string;
  etcdRounds: string;
  etcdLoss: string;
  simulatedMaxNodes: string;
  json?: string;
}

/** DESIGN.md §5 targets, with the anchors they are measured against. */
const TARGETS = {
  apiP99Ms: 20,
  schedulingPodsPerSecond: 1000,
  podStartupP99Ms: 1000,
  bootMs: 5000,
  recoveryMs: 5000,
  outageFailedRequests: 0,
  etcdLossApiAvailability: 0.995,
  simulatedNodes: 1000,
};

const SECTIONS = [
  'boot',
  'api',
  'scheduling',
  'startup',
  'proxy',
  'load',
  'recovery',
  'outage',
  'etcd',
  'simulated',
] as const;
/** How long every simulated node must stay Ready at each size of the ramp. */
const SIMULATED_HOLD_MS = 30_000;
type Section = (typeof SECTIONS)[number];

/** `crucible bench`: measures the DESIGN.md §5 figures, each beside its target and its floor. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure performance figures against the DESIGN.md targets')
    .option('--only <list>', `comma-separated sections: ${SECTIONS.join(', ')}`, SECTIONS.join(','))
    .option('--clients <list>', 'api: concurrent clients; a comma-separated list measures each', '4,16')
    .option('--objects <n>', 'api: objects per verb', '2000')
    .option('--nodes <n>', 'scheduling: nodes', '100')
    .option('--pods <n>', 'scheduling: pods', '1000')
    .option('--rounds <n>', 'recovery: node losses to measure', '3')
    .option(
      '--node-monitor-grace-period <list>',
      "recovery: the controller-manager's grace period(s) to measure, comma-separated durations (default: the fast profile's)",
    )
    .option('--outage <duration>', 'outage: how long the whole control plane stays down', '30s')
    .option('--outage-rate <n>', 'outage: requests per second through the node ports', '100')
    .option('--etcd-rounds <n>', 'etcd: etcd members lost, one after another (each member in turn)', '3')
    .option('--etcd-loss <duration>', 'etcd: how long each member stays dead', '15s')
    .option(
      '--simulated-max-nodes <n>',
      'simulated: the largest cluster to try; the ramp doubles from 250 up to it',
      '1000',
    )
    .option('--json <file>', 'also write the figures as JSON')
    .action(async (flags: BenchFlags) => {
      const sections = flags.only.split(',').map((s) => s.trim()) as Section[];
      const unknown = sections.filter((s) => !SECTIONS.includes(s));
      if (unknown.length)
        throw new UsageError(
          'InvalidFlag',
          `--only: unknown section(s) ${unknown.join(', ')}; use ${SECTIONS.join(', ')}`,
        );
      const log = (line: string) => process.stderr.write(`  ${line}\n`);
      const out: string[] = [];
      const json: Record<string, unknown> = { targets: TARGETS };
      if (sections.includes('boot')) {
        const providers: ProviderName[] = (await dockerEngineAnswers(2000))
          ? ['process', 'docker']
          : ['process'];
        json.boot = [];
        for (const provider of providers) {
          process.stderr.write(`Boot: crucible up, 1 control plane + 3 workers (${provider} provider)\n`);
          const b = await benchBoot(provider, 3, log);
          out.push(...bootTable(b));
          (json.boot as BootBenchResult[]).push(b);
        }
      }
      if (sections.includes('proxy')) {
        process.stderr.write('Proxy: the bundled Toxiproxy, no toxics, against a direct connection\n');
        const p = await benchProxy();
        out.push(
          'Toxiproxy (bundled), one connection to a TCP echo server on 127.0.0.1',
          `  throughput   direct ${p.directMBps.toFixed(0)} MB/s, proxied ${p.proxiedMBps.toFixed(0)} MB/s (ratio ${(p.proxiedMBps / p.directMBps).toFixed(2)})`,
          `  round trip   direct p50 ${p.directRttP50Ms.toFixed(3)} ms p99 ${p.directRttP99Ms.toFixed(3)} ms; proxied p50 ${p.proxiedRttP50Ms.toFixed(3)} ms p99 ${p.proxiedRttP99Ms.toFixed(3)} ms (added p50 ${(p.proxiedRttP50Ms - p.directRttP50Ms).toFixed(3)} ms)`,
          '',
        );
        json.proxy = p;
      }
      if (sections.includes('load')) {
        process.stderr.write(
          'Load: the builtin driver at 5000 requests/s for 5 s against a local HTTP server\n',
        );
        const l = await benchBuiltinDriver({ rate: 5000, durationSeconds: 5, progress: log });
        out.push(
          'Builtin load driver, open model, 5000 requests/s for 5 s (target: hold the rate or say what it dropped)',
          `  achieved ${l.achievedRate.toFixed(0)}/s, sent ${l.sent} of ${l.scheduled}, dropped ${l.dropped}, failed ${l.failed}`,
          `  latency from intended start p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms, max ${l.maxMs.toFixed(1)} ms; the driver's own send lag p99 ${l.sendLagP99Ms.toFixed(2)} ms`,
          '',
        );
        json.load = l;
        process.stderr.write('Load: the builtin driver beside the real k6, same target, same run\n');
        const c = await benchDriverComparison({ rate: 4000, durationSeconds: 5, progress: log });
        out.push(...driverComparisonTable(c));
        json.loadDrivers = c;
      }
      if (sections.includes('api')) {
        const results: ApiLatencyResult[] = [];
        for (const clients of flags.clients.split(',').map((c) => positiveInt(c.trim(), '--clients'))) {
          process.stderr.write(`API latency: ${clients} concurrent clients, real etcd, RBAC on\n`);
          const api = await benchApiLatency({
            clients,
            objects: positiveInt(flags.objects, '--objects'),
            namespaces: 20,
            progress: log,
          });
          results.push(api);
          out.push(...apiLatencyTable(api));
        }
        out.push(
          `anchor: Kubernetes API call latency SLO p99 ≤ 1 s; target p99 ≤ ${TARGETS.apiP99Ms} ms`,
          '',
        );
        json.apiLatency = results;
      }
      if (sections.includes('scheduling')) {
        const nodes = positiveInt(flags.nodes, '--nodes');
        const pods = positiveInt(flags.pods, '--pods');
        process.stderr.write(
          `Scheduling: ${pods} pods on ${nodes} nodes, real etcd, apiserver and scheduler processes\n`,
        );
        const s = await benchScheduling({ nodes, pods, progress: log });
        out.push(...schedulingTable(s));
        json.scheduling = s;
      }
      if (sections.includes('startup')) {
        process.stderr.write(
          'Pod startup: 100 pods with spec.nodeName on a real kubelet, real etcd and apiserver; pause containers, then Node.js programs\n',
        );
        const pause = await benchPodStartup({ pods: 100, concurrency: 8, container: 'pause', progress: log });
        const sleeper = await benchPodStartup({
          pods: 100,
          concurrency: 8,
          container: 'sleeper',
          progress: log,
        });
        out.push(...podStartupTable(pause, sleeper));
        json.podStartup = pause;
        json.podStartupNodePrograms = sleeper;
      }
      if (sections.includes('recovery')) {
        const rounds = positiveInt(flags.rounds, '--rounds');
        // undefined: the profile's own grace period, passed to no one.
        const gracePeriods = flags.nodeMonitorGracePeriod
          ?.split(',')
          .map((d) => durationMs(d.trim(), '--node-monitor-grace-period')) ?? [undefined];
        const results: RecoveryBenchResult[] = [];
        for (const nodeMonitorGracePeriodMs of gracePeriods) {
          process.stderr.write(
            `Recovery: 1 control plane + 3 workers, the last worker killed ${rounds} times${nodeMonitorGracePeriodMs !== undefined ? `, node-monitor-grace-period ${nodeMonitorGracePeriodMs} ms` : ''}\n`,
          );
          const r = await benchRecovery({ rounds, nodeMonitorGracePeriodMs, progress: log });
          out.push(...recoveryTable(r, TARGETS.recoveryMs));
          results.push(r);
        }
        json.recovery = results;
      }
      if (sections.includes('outage')) {
        const outageMs = durationMs(flags.outage, '--outage');
        const rate = positiveInt(flags.outageRate, '--outage-rate');
        process.stderr.write(
          `Outage: 1 control plane + 3 workers, the whole control plane down ${outageMs / 1000} s under ${rate} requests/s\n`,
        );
        const o = await benchOutage({ outageMs, rate, progress: log });
        out.push(...outageTable(o, TARGETS.outageFailedRequests));
        json.outage = o;
      }
      if (sections.includes('etcd')) {
        const rounds = positiveInt(flags.etcdRounds, '--etcd-rounds');
        const lossMs = durationMs(flags.etcdLoss, '--etcd-loss');
        process.stderr.write(
          `etcd member loss: 3 etcd members, each in turn killed for ${lossMs / 1000} s (${rounds} rounds), the API probed meanwhile\n`,
        );
        const e = await benchEtcdLoss({ rounds, lossMs, probeRate: 20, writeRate: 10, progress: log });
        out.push(...etcdLossTable(e, TARGETS.etcdLossApiAvailability));
        json.etcdLoss = e;
      }
      if (sections.includes('simulated')) {
        const counts = simulatedNodesRamp(positiveInt(flags.simulatedMaxNodes, '--simulated-max-nodes'));
        process.stderr.write(
          `Simulated nodes: ${counts.join(', ')} nodes of one simulated kubelet, profile kubernetes, each held ${SIMULATED_HOLD_MS / 1000} s\n`,
        );
        const r = await benchSimulatedNodes({
          counts,
          holdMs: SIMULATED_HOLD_MS,
          profile: 'kubernetes',
          progress: log,
        });
        out.push(...simulatedNodesTable(r, TARGETS.simulatedNodes));
        json.simulatedNodes = r;
      }
      process.stdout.write(out.join('\n') + '\n');
      if (flags.json) await writeFile(flags.json, JSON.stringify(json, null, 2));
    });
}

function driverComparisonTable(c: DriverComparison): string[] {
  const row = (f: DriverComparison['builtin']) =>
    `  ${f.driver.padEnd(8)} held ${f.heldRate.toFixed(0)}/s, sent ${f.sent} (the target counted ${f.targetCounted}), dropped ${f.dropped}, failed ${f.failed}, ` +
    `${f.cpuSecondsPer1000.toFixed(3)} CPU-s per 1000 requests, p99 ${f.p99Ms.toFixed(2)} ms (the target's own p99 ${f.targetP99Ms.toFixed(3)} ms)`;
  return [
    `Load drivers side by side, ${c.rate} requests/s for ${c.durationSeconds} s against one local HTTP server (target: builtin ≥ 2× k6's requests per CPU-second, same counts)`,
    row(c.builtin),
    ...(c.k6
      ? [row(c.k6), `  builtin's requests per CPU-second ÷ k6's: ${c.efficiencyRatio!.toFixed(2)}`]
      : ['  k6: not found (K6_BIN or PATH): no comparison']),
    '',
  ];
}

function apiLatencyTable(api: ApiLatencyResult): string[] {
  const cell = (v: string | number, width: number) => String(v).padStart(width);
  const out = [
    `API latency per verb (ms), ${api.clients} concurrent clients`,
    `${'verb'.padEnd(10)}${cell('requests', 9)}${cell('errors', 8)}${cell('p50', 9)}${cell('p99', 9)}${cell('max', 9)}  target p99`,
  ];
  for (const r of [api.floor, ...api.verbs]) {
    const verdict = r.p99Ms <= TARGETS.apiP99Ms ? 'met' : 'MISSED';
    const target = r === api.floor ? 'floor: no etcd' : `≤ ${TARGETS.apiP99Ms} ${verdict}`;
    out.push(
      `${r.verb.padEnd(10)}${cell(r.requests, 9)}${cell(r.errors, 8)}${cell(r.p50Ms.toFixed(2), 9)}${cell(r.p99Ms.toFixed(2), 9)}${cell(r.maxMs.toFixed(2), 9)}  ${target}`,
    );
  }
  return out;
}

function schedulingTable(s: SchedulingBenchResult): string[] {
  const verdict = s.throughputPodsPerSecond >= TARGETS.schedulingPodsPerSecond ? 'met' : 'MISSED';
  return [
    `Scheduling, ${s.pods} pods on ${s.nodes} nodes`,
    `  throughput (bind included)   ${s.throughputPodsPerSecond.toFixed(0)} pods/s   target ≥ ${TARGETS.schedulingPodsPerSecond} ${verdict}; anchor: kube-scheduler 680–810 pods/s at 5k nodes`,
    `  create → bound               p50 ${s.createToBoundP50Ms.toFixed(1)} ms, p99 ${s.createToBoundP99Ms.toFixed(1)} ms`,
    `  floor: create request alone  p50 ${s.createRequestP50Ms.toFixed(1)} ms`,
    '',
  ];
}

function bootTable(b: BootBenchResult): string[] {
  const verdict = b.serviceAnsweringMs <= TARGETS.bootMs ? 'met' : 'MISSED';
  return [
    `Boot, 1 control plane + ${b.workers} workers (${b.provider} provider)`,
    `  all nodes Ready              ${(b.nodesReadyMs / 1000).toFixed(2)} s`,
    `  a Service answering          ${(b.serviceAnsweringMs / 1000).toFixed(2)} s   target ≤ ${TARGETS.bootMs / 1000} s ${verdict}; anchors: kind 33 s, k3d 20 s`,
    `  floor: as many bare ${b.provider === 'docker' ? 'node-image containers' : 'Node.js processes'} started in parallel  ${(b.bareStartMs / 1000).toFixed(2)} s`,
    `  memory per worker (kubelet + kube-proxy + its pods)        ${b.workerMemoryMiB.toFixed(0)} MiB`,
    '',
  ];
}

function podStartupTable(pause: PodStartupResult, sleeper: PodStartupResult): string[] {
  const verdict = pause.p99Ms <= TARGETS.podStartupP99Ms ? 'met' : 'MISSED';
  const figures = (s: PodStartupResult) =>
    `p50 ${s.p50Ms.toFixed(0)} ms, p99 ${s.p99Ms.toFixed(0)} ms, max ${s.maxMs.toFixed(0)} ms`;
  return [
    `Pod startup, ${pause.pods} pods (create → Running and Ready, seen through a watch)`,
    `  pause containers (sleep)     ${figures(pause)}   target p99 ≤ ${TARGETS.podStartupP99Ms} ms ${verdict}; anchor: Kubernetes SLO 5 s`,
    `  Node.js programs (sleeper)   ${figures(sleeper)}   each pod starts a Node.js`,
    `  floor: create request alone  p50 ${pause.createP50Ms.toFixed(1)} ms`,
    '',
  ];
}

function durationMs(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new UsageError('InvalidFlag', `${flag}: ${(e as Error).message}`);
  }
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError('InvalidFlag', `${flag}: "${text}" is not a positive whole number`);
  return n;
}
