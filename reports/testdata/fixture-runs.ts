/**
 * Fixture runs for the reports' tests, built in code so each test can say what it varies: a
 * passing run, a run with a failed check, an aborted run, and a 10-minute run sized like a real one.
 * Deterministic: the same call gives the same history.
 */
import {
  HISTORY_API_VERSION,
  type CheckSpec,
  type FaultRef,
  type History,
  type HistoryEvent,
  type LoadSecond,
  type NodeSample,
  type PhaseName,
  type WorkloadSample,
} from '../../harness/history/history.js';
import type { Verdict } from '../../harness/checks/verdict.js';

export interface FixtureRun {
  history: History;
  verdicts: Verdict[];
}

export interface FaultPlan {
  fault: FaultRef;
  injectS: number;
  /** Null: no heal recorded. */
  healS: number | null;
  /** Seconds (absolute) during which requests fail, and how. */
  failing?: { fromS: number; toS: number; kind: string; ratio: number };
  /** The node that goes NotReady during the fault. */
  node?: string;
  /** The workload that loses a replica during the fault. */
  workload?: string;
}

export interface HistoryPlan {
  scenario: string;
  startedAt: string;
  durationS: number;
  rate: number;
  loads: string[];
  workloads: string[];
  nodes: string[];
  faults: FaultPlan[];
  /** Extra note/pod events to reach this many events in all. */
  eventCount?: number;
  aborted?: { phase: PhaseName; reason: string };
  checks: CheckSpec[];
}

const START = '2025-03-01T10:00:00.000Z';

/** A small deterministic random source (a linear congruential generator). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A history following the plan: 1 s load buckets, 1 s workload, node and API samples. */
export function buildHistory(plan: HistoryPlan): History {
  const rnd = random(42);
  const endT = plan.durationS * 1000;
  const events: HistoryEvent[] = [];
  const phaseSpans: [PhaseName, number, number][] = [
    ['boot', 0, 0.05],
    ['workloads', 0.05, 0.1],
    ['steady-state', 0.1, 0.15],
    ['recorders', 0.15, 0.16],
    ['faults', 0.16, 0.8],
    ['heal', 0.8, 0.85],
    ['recovery', 0.85, 0.95],
    ['collect', 0.95, 0.98],
    ['teardown', 0.98, 1],
  ];
  const abortedAt = plan.aborted ? phaseSpans.findIndex(([p]) => p === plan.aborted?.phase) : -1;
  const phases = phaseSpans
    .filter((_, i) => abortedAt < 0 || i <= abortedAt || phaseSpans[i][0] === 'teardown')
    .map(([name, a, b], i, all) => ({
      name,
      startT: Math.round(a * endT),
      endT: Math.round(b * endT),
      outcome: (abortedAt >= 0 && name === plan.aborted?.phase ? 'aborted' : 'ok') as 'ok' | 'aborted',
      ...(abortedAt >= 0 && i === all.length - 2 ? { error: plan.aborted?.reason } : {}),
    }));
  for (const p of phases) {
    events.push({ t: p.startT, type: 'phase', phase: p.name, status: 'start' });
    events.push({ t: p.endT, type: 'phase', phase: p.name, status: 'end' });
  }
  for (const f of plan.faults) {
    events.push({ t: f.injectS * 1000, type: 'fault-inject', fault: f.fault, ok: true });
    if (f.healS !== null) {
      events.push({
        t: f.healS * 1000,
        type: 'fault-heal',
        fault: f.fault,
        ok: true,
        verifiedBy: 'node Ready again',
      });
    }
    if (f.node) {
      events.push({ t: f.injectS * 1000 + 2000, type: 'node-condition', node: f.node, ready: 'Unknown' });
      if (f.healS !== null)
        events.push({ t: f.healS * 1000 + 1500, type: 'node-condition', node: f.node, ready: 'True' });
    }
  }
  events.push({ t: 3000, type: 'leader', component: 'scheduler', holder: 'scheduler-0' });
  events.push({
    t: Math.round(endT * 0.5) + 300,
    type: 'error',
    source: 'recorder',
    message: 'watch closed <reopened>',
  });
  let n = 0;
  while (plan.eventCount && events.length < plan.eventCount) {
    const t = Math.floor(rnd() * endT);
    events.push(
      n % 2 === 0
        ? {
            t,
            type: 'pod',
            namespace: 'default',
            name: `echo-${n}`,
            node: plan.nodes[n % plan.nodes.length],
            change: 'ready',
          }
        : { t, type: 'note', message: `sample note ${n}` },
    );
    n++;
  }
  events.sort((a, b) => a.t - b.t);

  const failingAt = (s: number) =>
    plan.faults.find((f) => f.failing && s >= f.failing.fromS && s < f.failing.toS)?.failing;
  const load: LoadSecond[] = [];
  for (const name of plan.loads) {
    for (let s = 0; s < plan.durationS; s++) {
      const count = plan.rate;
      const failing = failingAt(s);
      const failed = failing ? Math.round(count * failing.ratio) : 0;
      const base = 2 + rnd() * 3;
      load.push({
        t: s * 1000,
        load: name,
        namespace: 'default',
        count,
        ok: count - failed,
        failed,
        dropped: 0,
        failures: failing ? { [failing.kind]: failed } : {},
        latencyMs: { p50: base, p90: base * 2, p99: failing ? 1500 + rnd() * 500 : base * 4, max: base * 8 },
      });
    }
  }
  const workloads: WorkloadSample[] = [];
  const nodes: NodeSample[] = [];
  const api = [];
  for (let s = 0; s < plan.durationS; s++) {
    const t = s * 1000 + 500;
    for (const w of plan.workloads) {
      const hit = plan.faults.some((f) => f.workload === w && s >= f.injectS && s < f.injectS + 6);
      workloads.push({ t, namespace: 'default', name: w, desired: 3, ready: hit ? 2 : 3, pods: 3 });
    }
    for (const node of plan.nodes) {
      const down = plan.faults.some(
        (f) => f.node === node && s >= f.injectS + 2 && (f.healS === null || s < f.healS + 1.5),
      );
      nodes.push({ t, node, ready: down ? 'Unknown' : 'True' });
    }
    api.push({ t, ok: true, latencyMs: 3 + rnd(), status: 200 });
  }

  return {
    apiVersion: HISTORY_API_VERSION,
    kind: 'History',
    metadata: {
      scenario: {
        name: plan.scenario,
        description: `Fixture scenario ${plan.scenario}.`,
        tags: ['chaos', 'fixture'],
        file: `scenarios/chaos/${plan.scenario}.yaml`,
        hash: 'a3f1c9e2b7d4a5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6f',
      },
      seed: 1234,
      crucible: { version: '0.1.0', commit: '9f8e7d6c5b4a', dirty: true },
      commandLine: [
        'crucible',
        'run',
        `scenarios/chaos/${plan.scenario}.yaml`,
        '--seed',
        '1234',
        '--out',
        'out dir',
      ],
      versions: { node: 'v20.20.0', etcd: '3.4.23' },
      provider: 'process',
      topology: [
        { node: 'etcd-0', role: 'etcd' },
        { node: 'apiserver-0', role: 'control-plane' },
        ...plan.nodes.map((node) => ({ node, role: 'worker' })),
      ],
      tenants: [{ name: 'tenant-a', namespaces: ['tenant-a'] }],
      startedAt: plan.startedAt,
      endedAt: new Date(Date.parse(plan.startedAt) + endT).toISOString(),
      phases,
      ...(plan.aborted ? { aborted: plan.aborted } : {}),
      checks: plan.checks,
    },
    events,
    series: { load, workloads, nodes, api },
    groundTruth: [],
    durability: { writes: [], finalReads: [] },
    isolation: [],
  };
}

const NODE_LOSS: FaultRef = { id: 'lose-worker-2', type: 'node-loss', targets: ['worker-2'] };

const CHECKS: CheckSpec[] = [
  { name: 'converges', type: 'convergence', window: 'after-heal', thresholds: { maxSeconds: 30 } },
  {
    name: 'echo-available',
    type: 'availability',
    window: { during: 'lose-worker-2' },
    thresholds: { minSuccessRatio: 0.99, maxErrorBurstMs: 2000 },
    select: { load: 'echo' },
  },
  { name: 'echo-latency', type: 'latency', window: 'whole-run', thresholds: { p99Ms: 250 } },
  {
    name: 'echo-self-heals',
    type: 'self-heal',
    window: { during: 'lose-worker-2' },
    thresholds: { maxSeconds: 10 },
  },
];

function verdict(
  check: CheckSpec,
  outcome: Verdict['outcome'],
  measured: number | null,
  unit: string,
  threshold: string,
  summary: string,
  evidence: Verdict['evidence'] = [],
): Verdict {
  return {
    check: check.name,
    type: check.type,
    window: structuredClone(check.window),
    span: [40_000, 70_000],
    threshold,
    measured,
    unit,
    outcome,
    summary,
    evidence,
  };
}

function plan(overrides: Partial<HistoryPlan> & { faults: FaultPlan[] }): HistoryPlan {
  return {
    scenario: 'node-loss',
    startedAt: START,
    durationS: 120,
    rate: 50,
    loads: ['echo'],
    workloads: ['echo'],
    nodes: ['worker-1', 'worker-2', 'worker-3'],
    checks: structuredClone(CHECKS),
    eventCount: 40,
    ...overrides,
  };
}

/** Every check passes; a two-second burst of refused requests after the inject, recovered at heal. */
export function passingRun(startedAt = START): FixtureRun {
  const history = buildHistory(
    plan({
      startedAt,
      faults: [
        {
          fault: NODE_LOSS,
          injectS: 40,
          healS: 70,
          failing: { fromS: 41, toS: 42, kind: 'refused', ratio: 0.2 },
          node: 'worker-2',
          workload: 'echo',
        },
      ],
    }),
  );
  const [converges, available, latency, heals] = CHECKS;
  return {
    history,
    verdicts: [
      verdict(
        available,
        'pass',
        0.9933,
        'ratio',
        'success ratio ≥ 99%, longest error burst ≤ 2 s',
        'Almost every request succeeded while worker-2 was lost.',
      ),
      verdict(
        converges,
        'pass',
        3000,
        'ms',
        'converged within 30 s',
        'The cluster was back to its desired state 3 s after heal.',
      ),
      verdict(latency, 'pass', 180, 'ms', 'p99 ≤ 250 ms', 'Latency stayed low.'),
      verdict(
        heals,
        'pass',
        6,
        's',
        'ready again within 10 s',
        'echo had 3 ready replicas again 6 s after the node was lost.',
      ),
    ],
  };
}

/** `echo-available` fails (a long error burst), `echo-latency` is unknown, the others pass. */
export function failedRun(startedAt = '2025-03-01T11:00:00.000Z'): FixtureRun {
  const history = buildHistory(
    plan({
      startedAt,
      faults: [
        {
          fault: NODE_LOSS,
          injectS: 40,
          healS: 70,
          failing: { fromS: 41, toS: 74, kind: 'timeout', ratio: 0.3 },
          node: 'worker-2',
          workload: 'echo',
        },
      ],
    }),
  );
  const [converges, available, latency, heals] = CHECKS;
  return {
    history,
    verdicts: [
      verdict(
        heals,
        'pass',
        6,
        's',
        'ready again within 10 s',
        'echo had 3 ready replicas again 6 s after the node was lost.',
      ),
      verdict(
        available,
        'fail',
        0.7,
        'ratio',
        'success ratio ≥ 99%, longest error burst ≤ 2 s',
        'Three in ten requests to echo timed out while worker-2 was lost.',
        [
          { t: 41_000, message: 'first failed request (timeout)' },
          { t: 73_000, message: 'error burst of 33 s <longest>' },
        ],
      ),
      verdict(latency, 'unknown', null, 'ms', 'p99 ≤ 250 ms', 'The checker crashed: TypeError & friends.'),
      verdict(
        converges,
        'pass',
        4000,
        'ms',
        'converged within 30 s',
        'The cluster was back to its desired state 4 s after heal.',
      ),
    ],
  };
}

/** Aborted (Ctrl-C) during the faults phase; the fault's heal was never recorded; checks unknown. */
export function abortedRun(startedAt = '2025-03-01T12:00:00.000Z'): FixtureRun {
  const history = buildHistory(
    plan({
      startedAt,
      durationS: 60,
      aborted: { phase: 'faults', reason: 'interrupted by SIGINT' },
      faults: [{ fault: NODE_LOSS, injectS: 20, healS: null, node: 'worker-2' }],
    }),
  );
  const [converges, available] = CHECKS;
  return {
    history,
    verdicts: [
      verdict(
        converges,
        'unknown',
        null,
        'ms',
        'converged within 30 s',
        'The run ended before heal, so convergence could not be judged.',
      ),
      verdict(available, 'pass', 1, 'ratio', 'success ratio ≥ 99%', 'No request failed.'),
    ],
  };
}

/** A 10-minute run: 1 s load buckets, 1 s samples of 3 workloads and 4 nodes, 500 events, 3 faults. */
export function tenMinuteRun(): FixtureRun {
  const faults: FaultPlan[] = [60, 240, 420].map((s, i) => ({
    fault: {
      id: `fault-${i + 1}`,
      type: i === 1 ? 'control-plane-outage' : 'node-loss',
      targets: [`worker-${i + 1}`],
    },
    injectS: s,
    healS: s + 60,
    failing: { fromS: s + 1, toS: s + 5, kind: i === 1 ? 'reset' : 'refused', ratio: 0.1 },
    node: `worker-${i + 1}`,
    workload: ['echo', 'api', 'web'][i],
  }));
  const history = buildHistory({
    scenario: 'long-soak',
    startedAt: START,
    durationS: 600,
    rate: 200,
    loads: ['echo', 'api'],
    workloads: ['echo', 'api', 'web'],
    nodes: ['worker-1', 'worker-2', 'worker-3', 'worker-4'],
    faults,
    eventCount: 500,
    checks: structuredClone(CHECKS),
  });
  return { history, verdicts: passingRun().verdicts };
}
