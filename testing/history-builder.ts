import {
  HISTORY_API_VERSION,
  type CheckSpec,
  type FaultRef,
  type GroundTruthContainer,
  type GroundTruthPod,
  type GroundTruthSample,
  type History,
  type HistoryEvent,
  type IsolationProbe,
  type LoadSecond,
  type NodeSample,
  type PhaseName,
  type PhaseRecord,
} from '../harness/history/history.js';

/** One load second as a test writes it: ok is worked out as count − failed − dropped. */
export interface LoadSecondInput {
  load?: string;
  namespace?: string;
  count?: number;
  failed?: number;
  dropped?: number;
  failures?: Record<string, number>;
  failedByPod?: Record<string, number>;
  latencyMs?: Partial<LoadSecond['latencyMs']>;
}

/** A container as the kubelet reports it; startedAt defaults to one derived from the pid, restarts to 0. */
export type ContainerInput = Omit<GroundTruthContainer, 'startedAt' | 'restarts'> &
  Partial<Pick<GroundTruthContainer, 'startedAt' | 'restarts'>>;

/** A pod as the kubelet reports it; the namespace defaults to default. */
export type PodInput = Omit<GroundTruthPod, 'namespace' | 'containers'> &
  Partial<Pick<GroundTruthPod, 'namespace'>> & { containers: ContainerInput[] };

/**
 * Builds small histories in code for checker and report tests: a fluent builder (each method
 * returns `this`), defaults for everything a test does not care about, and events sorted by time
 * on `build()`.
 */
export class HistoryBuilder {
  private readonly phases: PhaseRecord[] = [];
  private readonly events: HistoryEvent[] = [];
  private readonly history: History = {
    apiVersion: HISTORY_API_VERSION,
    kind: 'History',
    metadata: {
      scenario: { name: 'fixture', tags: [], file: 'scenarios/fixture.yaml', hash: '0'.repeat(64) },
      seed: 1,
      crucible: { version: '0.1.0', commit: 'test', dirty: false },
      commandLine: ['crucible', 'run', 'scenarios/fixture.yaml'],
      versions: {},
      provider: 'process',
      topology: [],
      tenants: [],
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: '2025-01-01T00:10:00.000Z',
      phases: [],
      checks: [],
    },
    events: [],
    series: { load: [], workloads: [], nodes: [], api: [] },
    groundTruth: [],
    durability: { writes: [], finalReads: [] },
    isolation: [],
  };

  /** A lifecycle phase, recorded in metadata and as start/end events. */
  phase(name: PhaseName, startT: number, endT: number): this {
    this.phases.push({ name, startT, endT, outcome: 'ok' });
    this.events.push({ t: startT, type: 'phase', phase: name, status: 'start' });
    this.events.push({ t: endT, type: 'phase', phase: name, status: 'end' });
    return this;
  }

  /** The usual lifecycle: recorders at 0, faults, heal, recovery, ending at `endT`. */
  lifecycle(faultsT: number, healT: number, recoveryT: number, endT: number): this {
    return this.phase('recorders', 0, faultsT)
      .phase('faults', faultsT, healT)
      .phase('heal', healT, recoveryT)
      .phase('recovery', recoveryT, endT);
  }

  /** A fault's inject event and, when `healT` is given, its heal event. */
  fault(fault: Partial<FaultRef> & { id: string }, injectT: number, healT?: number): this {
    const ref: FaultRef = { type: 'node-loss', targets: ['worker-2'], ...fault };
    this.events.push({ t: injectT, type: 'fault-inject', fault: ref, ok: true });
    if (healT !== undefined) {
      this.events.push({ t: healT, type: 'fault-heal', fault: ref, ok: true, verifiedBy: 'test' });
    }
    return this;
  }

  event(event: HistoryEvent): this {
    this.events.push(event);
    return this;
  }

  leader(t: number, component: string, holder: string): this {
    return this.event({ t, type: 'leader', component, holder });
  }

  /** One load second; defaults: load echo in namespace default, 100 requests, none failed. */
  loadSecond(t: number, input: LoadSecondInput = {}): this {
    const count = input.count ?? 100;
    const failed = input.failed ?? 0;
    const dropped = input.dropped ?? 0;
    this.history.series.load.push({
      t,
      load: input.load ?? 'echo',
      namespace: input.namespace ?? 'default',
      count,
      ok: count - failed - dropped,
      failed,
      dropped,
      failures: input.failures ?? (failed > 0 ? { refused: failed } : {}),
      ...(input.failedByPod ? { failedByPod: input.failedByPod } : {}),
      latencyMs: { p50: 5, p90: 10, p99: 20, max: 40, ...input.latencyMs },
    });
    return this;
  }

  /** A load second every 1000 ms from `fromT` (included) to `toT` (excluded). */
  loadSeconds(
    fromT: number,
    toT: number,
    input: LoadSecondInput | ((t: number) => LoadSecondInput) = {},
  ): this {
    for (let t = fromT; t < toT; t += 1000)
      this.loadSecond(t, typeof input === 'function' ? input(t) : input);
    return this;
  }

  /** A workload sample; `pods` defaults to `ready`, the namespace to default. */
  workload(
    t: number,
    name: string,
    desired: number,
    ready: number,
    pods = ready,
    namespace = 'default',
  ): this {
    this.history.series.workloads.push({ t, namespace, name, desired, ready, pods });
    return this;
  }

  node(t: number, node: string, ready: NodeSample['ready']): this {
    this.history.series.nodes.push({ t, node, ready });
    return this;
  }

  api(t: number, ok: boolean, status = ok ? 200 : 503): this {
    this.history.series.api.push({ t, ok, latencyMs: 3, status });
    return this;
  }

  /** What a kubelet reported at `t`; 'unreachable' when it did not answer. */
  kubelet(t: number, node: string, pods: PodInput[] | 'unreachable'): this {
    const sample: GroundTruthSample =
      pods === 'unreachable'
        ? { t, node, reachable: false, pods: [] }
        : {
            t,
            node,
            reachable: true,
            pods: pods.map((p) => ({
              namespace: p.namespace ?? 'default',
              name: p.name,
              uid: p.uid,
              containers: p.containers.map((c) => ({
                name: c.name,
                pid: c.pid,
                startedAt: c.startedAt ?? `2025-01-01T00:00:${String(c.pid % 60).padStart(2, '0')}.000Z`,
                restarts: c.restarts ?? 0,
                ...(c.containerId ? { containerId: c.containerId } : {}),
              })),
            })),
          };
    this.history.groundTruth.push(sample);
    return this;
  }

  write(t: number, key: string, value: string, acknowledged = true): this {
    this.history.durability.writes.push({
      t,
      key,
      value,
      acknowledged,
      ...(acknowledged ? {} : { error: 'timeout' }),
    });
    return this;
  }

  /** A read after heal; no value: the key was not found. */
  finalRead(t: number, key: string, value?: string, error?: string): this {
    this.history.durability.finalReads.push({
      t,
      key,
      ...(value !== undefined ? { value } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    return this;
  }

  /** An isolation probe; defaults: tenant-a listing secrets in tenant-b, denied with 403. */
  probe(t: number, probe: Partial<IsolationProbe> = {}): this {
    this.history.isolation.push({
      t,
      tenant: 'tenant-a',
      namespace: 'tenant-b',
      verb: 'list',
      resource: 'secrets',
      expect: 'denied',
      status: 403,
      held: true,
      ...probe,
    });
    return this;
  }

  check(spec: CheckSpec): this {
    this.history.metadata.checks.push(spec);
    return this;
  }

  build(): History {
    return structuredClone({
      ...this.history,
      metadata: { ...this.history.metadata, phases: [...this.phases].sort((a, b) => a.startT - b.startT) },
      events: [...this.events].sort((a, b) => a.t - b.t),
    });
  }
}
