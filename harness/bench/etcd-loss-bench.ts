import { Pool } from 'undici';
import { findResource } from '../../orchestrator/api/resources.js';
import { type ProviderName } from '../cluster/index.js';
import { sleep } from '../support/index.js';
import { startBenchCluster, type BenchCluster } from './bench-cluster.js';
import { tally, type Probe, type ProbeTally } from './probe-tally.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
/** What the API probe reads, as the api-availability check's probe does. */
const PROBE_PATH = '/api/v1/namespaces/default';
/** A probe that has not answered by then failed, as the API probe's deadline. */
const PROBE_TIMEOUT_MS = 1000;
const WRITE_PATH = '/api/v1/namespaces/default/configmaps';
const BEFORE_MS = 5000;
const AFTER_MS = 5000;

export interface EtcdLossBenchOptions {
  /** Member losses, one after another: round i kills etcd-(i mod 3), so each member is lost in turn and one of them is the leader. */
  rounds: number;
  /** How long each member stays dead (the scenario's 15 s). */
  lossMs: number;
  /** Reads (GET of the default Namespace) started per second, open model. */
  probeRate: number;
  /** Writes (PATCH of one ConfigMap) started per second, open model. */
  writeRate: number;
  progress: (line: string) => void;
}

export interface EtcdLossRound {
  member: string;
  reads: ProbeTally;
  writes: ProbeTally;
}

export interface EtcdLossBenchResult {
  provider: ProviderName;
  lossMs: number;
  probeRate: number;
  writeRate: number;
  rounds: EtcdLossRound[];
  /** Every round's loss window together: the figure judged against the target. */
  reads: ProbeTally;
  writes: ProbeTally;
  /** The same probes with all three members up, before the first loss: the floor. */
  floor: { reads: ProbeTally; writes: ProbeTally };
}

/**
 * DESIGN.md §5's API availability while 1 of 3 etcd members is lost: a cluster with three etcd
 * members, probed through the API at a steady rate — reads as the api-availability check's probe
 * reads, and writes beside them — while one member at a time is killed (component-kill) for
 * `lossMs` and started again. The floor is the same probing with every member up.
 */
export async function benchEtcdLoss(options: EtcdLossBenchOptions): Promise<EtcdLossBenchResult> {
  const cluster = await startBenchCluster({
    section: 'etcd-loss',
    workers: 1,
    etcdMembers: 3,
    progress: options.progress,
  });
  const pool = new Pool(cluster.access.apiservers[0]!, {
    connections: 16,
    connect: { ca: cluster.access.caPem, timeout: PROBE_TIMEOUT_MS },
  });
  try {
    const probes = new ProbeRunner(pool, cluster.access.token, options);
    await probes.ensureConfigMap();
    probes.start();
    await sleep(BEFORE_MS);
    const floorWindow = [performanceNow() - BEFORE_MS, performanceNow()] as const;
    const windows: { member: string; from: number; to: number }[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const member = `etcd-${i % 3}`;
      options.progress(`round ${i + 1}: killing ${member} for ${options.lossMs / 1000} s`);
      const from = performanceNow();
      const fault = await cluster.faults.inject('component-kill', member, { component: 'etcd' });
      try {
        await sleep(from + options.lossMs - performanceNow());
      } finally {
        windows.push({ member, from, to: performanceNow() });
        await cluster.faults.heal(fault);
      }
      await waitUntilHealthy(cluster);
      await sleep(AFTER_MS);
    }
    await probes.stop();
    const rounds = windows.map((w) => ({
      member: w.member,
      reads: tally(probes.reads, w.from, w.to),
      writes: tally(probes.writes, w.from, w.to),
    }));
    const inLoss = (list: Probe[]) =>
      list.filter((p) => windows.some((w) => p.startedAt >= w.from && p.startedAt < w.to));
    return {
      provider: cluster.provider,
      lossMs: options.lossMs,
      probeRate: options.probeRate,
      writeRate: options.writeRate,
      rounds,
      reads: tally(inLoss(probes.reads), -Infinity, Infinity),
      writes: tally(inLoss(probes.writes), -Infinity, Infinity),
      floor: {
        reads: tally(probes.reads, floorWindow[0], floorWindow[1]),
        writes: tally(probes.writes, floorWindow[0], floorWindow[1]),
      },
    };
  } finally {
    await pool.close();
    await cluster.stop();
  }
}

/** Reads and writes started on a fixed schedule, each timed from its intended start. */
class ProbeRunner {
  readonly reads: Probe[] = [];
  readonly writes: Probe[] = [];
  private readonly pending = new Set<Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private n = 0;

  constructor(
    private readonly pool: Pool,
    private readonly token: string,
    private readonly options: EtcdLossBenchOptions,
  ) {}

  async ensureConfigMap(): Promise<void> {
    const res = await this.pool.request({
      method: 'POST',
      path: WRITE_PATH,
      headers: this.headers('application/json'),
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'etcd-loss-bench' } }),
    });
    await res.body.text();
  }

  start(): void {
    const every = (rate: number, fire: () => void) => {
      const timer = setInterval(fire, 1000 / rate);
      this.timers.push(timer);
    };
    every(this.options.probeRate, () => this.track(this.reads, () => this.read()));
    every(this.options.writeRate, () => this.track(this.writes, () => this.write()));
  }

  async stop(): Promise<void> {
    this.timers.forEach((t) => clearInterval(t));
    await Promise.all([...this.pending]);
  }

  private track(into: Probe[], send: () => Promise<{ status: number; message: string }>): void {
    const startedAt = performanceNow();
    const done = send().then(
      ({ status, message }) => {
        const ms = performanceNow() - startedAt;
        const ok = status === 200 && ms <= PROBE_TIMEOUT_MS;
        into.push({
          startedAt,
          ms,
          ok,
          ...(ok ? {} : { error: status === 200 ? 'too slow' : `HTTP ${status}: ${message}` }),
        });
      },
      (e: unknown) => {
        into.push({ startedAt, ms: performanceNow() - startedAt, ok: false, error: (e as Error).message });
      },
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private async read(): Promise<{ status: number; message: string }> {
    const res = await this.pool.request({
      method: 'GET',
      path: PROBE_PATH,
      headers: this.headers(),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return answer(res.statusCode, await res.body.text());
  }

  private async write(): Promise<{ status: number; message: string }> {
    const res = await this.pool.request({
      method: 'PATCH',
      path: `${WRITE_PATH}/etcd-loss-bench`,
      headers: this.headers('application/merge-patch+json'),
      body: JSON.stringify({ data: { n: String(this.n++) } }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return answer(res.statusCode, await res.body.text());
  }

  private headers(contentType?: string): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
      ...(contentType ? { 'content-type': contentType } : {}),
    };
  }
}

/** Until the API answers a read and a write again, so that the next round starts from a whole cluster. */
async function waitUntilHealthy(cluster: BenchCluster): Promise<void> {
  const deadline = performanceNow() + 60_000;
  for (;;) {
    try {
      await cluster.client.list(NAMESPACES);
      return;
    } catch (e) {
      if (performanceNow() > deadline) throw e;
      await sleep(200);
    }
  }
}

function answer(status: number, text: string): { status: number; message: string } {
  if (status === 200) return { status, message: '' };
  try {
    return {
      status,
      message: String((JSON.parse(text) as { message?: string }).message ?? text).slice(0, 160),
    };
  } catch {
    return { status, message: text.slice(0, 160) };
  }
}

function performanceNow(): number {
  return performance.now();
}
