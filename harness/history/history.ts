/**
 * The history of one experiment run (history.json): what happened, as recorded; no judgement.
 * Checkers (harness/checks) judge it; reports render it. Plain JSON data, versioned: a reader
 * refuses a `apiVersion` it does not know. Every time `t` is milliseconds since the run started
 * (`metadata.startedAt`), so a history reads the same whatever the wall clock.
 */

export const HISTORY_API_VERSION = 'crucible.dev/v1alpha1';

export interface History {
  apiVersion: typeof HISTORY_API_VERSION;
  kind: 'History';
  metadata: RunMetadata;
  /** In time order. */
  events: HistoryEvent[];
  series: HistorySeries;
  /** What each kubelet said runs on its node (its read-only /pods), sampled; the truth while the API is down. */
  groundTruth: GroundTruthSample[];
  /** Writes made during the run and whether each was acknowledged, then what a read after heal found. */
  durability: DurabilityLog;
  /** The namespace isolation battery: each cross-tenant attempt and what the apiserver answered. */
  isolation: IsolationProbe[];
}

export interface RunMetadata {
  scenario: {
    name: string;
    description?: string;
    tags: string[];
    file: string;
    /** sha256 of the scenario file's text. */
    hash: string;
    /** A sabotage scenario's expected outcome: the known bug it turns on must fail this check. */
    expect?: ExpectedOutcome;
  };
  seed: number;
  crucible: { version: string; commit: string; dirty: boolean };
  commandLine: string[];
  versions: Record<string, string>;
  provider: 'docker' | 'process' | 'kubeconfig';
  /** The cluster's nodes as the provider ran them (etcd-0, apiserver-0, worker-1, …) and their roles. */
  topology: { node: string; role: string }[];
  tenants: { name: string; namespaces: string[] }[];
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  /** The lifecycle's phases in order, as far as the run got. */
  phases: PhaseRecord[];
  /**
   * Whether the cluster's kubelets confined pods (each its own user, directory and token; the
   * control plane closed to them), and why not when they did not: isolation from inside pods
   * cannot hold then, which the isolation check reports as a known limit.
   */
  podConfinement?: { confined: true } | { confined: false; reason: string };
  /**
   * The run's evidence kept beside its history, paths relative to the run's folder: each node's log
   * (`logs/<node>.log`) and the cluster's objects (`objects/<namespace>.json`), taken before teardown.
   */
  evidence?: string[];
  /** Set when the run did not finish its lifecycle: Ctrl-C, a phase's timeout, a crash. */
  aborted?: { phase: string; reason: string };
  /** Checks as the scenario declared them, so `crucible check history.json` needs nothing else. */
  checks: CheckSpec[];
}

/**
 * What a sabotage scenario expects (scenario `expect`): its cluster runs with a known bug turned
 * on, and the run is right when the named check, and no other, fails.
 */
export interface ExpectedOutcome {
  /** The name of one of the scenario's checks. */
  fails: string;
}

export type PhaseName =
  | 'boot'
  | 'workloads'
  | 'steady-state'
  | 'recorders'
  | 'faults'
  | 'heal'
  | 'recovery'
  | 'collect'
  | 'teardown';

export interface PhaseRecord {
  name: PhaseName;
  startT: number;
  endT: number;
  outcome: 'ok' | 'failed' | 'aborted';
  error?: string;
}

/**
 * One fault, as injected: its id names it in windows (`during: <id>`) and events. The one shape of
 * a fault everywhere: the history's events, the fault ledger on disk, what `crucible fault` prints.
 */
export interface FaultRef {
  id: string;
  /** The catalogue's type: node-loss, node-pause, node-partition, component-kill, control-plane-outage, link-latency, … */
  type: string;
  /** The nodes or links it acted on, resolved (a `random` target resolved from the seed). */
  targets: string[];
  /** The fault's options as its schema validated them (absent in histories written before they were kept). */
  options?: Record<string, unknown>;
  tenant?: string;
}

export interface FaultInjectEvent {
  t: number;
  type: 'fault-inject';
  fault: FaultRef;
  ok: boolean;
  error?: string;
}

export interface FaultHealEvent {
  t: number;
  type: 'fault-heal';
  fault: FaultRef;
  ok: boolean;
  /** What showed the heal done: "node-loss heal returned", "final heal of the run". */
  verifiedBy: string;
  error?: string;
}

/** A fault's injection or heal: the one event type every fault reports through. */
export type FaultEvent = FaultInjectEvent | FaultHealEvent;

export type HistoryEvent =
  | FaultEvent
  | { t: number; type: 'phase'; phase: PhaseName; status: 'start' | 'end' }
  | { t: number; type: 'node-condition'; node: string; ready: 'True' | 'False' | 'Unknown' }
  | {
      t: number;
      type: 'pod';
      namespace: string;
      name: string;
      node?: string;
      change: 'created' | 'scheduled' | 'ready' | 'not-ready' | 'deleted' | 'restarted';
    }
  | { t: number; type: 'leader'; component: string; holder: string }
  | { t: number; type: 'error'; source: string; message: string }
  | { t: number; type: 'note'; message: string }
  | LoadThresholdsEvent
  | UnmetConditionEvent
  | StepEvent;

/** A load's k6 thresholds and whether each was crossed, recorded when the load ends (a k6 load only). */
export interface LoadThresholdsEvent {
  t: number;
  type: 'load-thresholds';
  load: string;
  thresholds: { metric: string; expression: string; crossed: boolean }[];
}

/** A condition of the steady state that did not hold, and what was last seen of it. */
export interface UnmetCondition {
  /** What the condition is about: `deployment team-a/web`, `service team-a/web`. */
  subject: string;
  /** What was last seen: `0 of 3 replicas ready; pod web-7f… Pending: 0/3 nodes available: Insufficient cpu`. */
  observation: string;
}

/** Recorded when a phase that waits for the steady state (steady-state, recovery) ran out of time: one per unmet condition. */
export interface UnmetConditionEvent extends UnmetCondition {
  t: number;
  type: 'unmet';
  phase: PhaseName;
}

/** A scenario step's outcome (`t` is when it started): what ran, and why it failed. */
export interface StepEvent {
  t: number;
  type: 'step';
  step: string;
  /** The command as a shell would show it: `kubectl get pods -n conf`, `sleep 2s`. */
  action: string;
  outcome: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** How many times it ran: retries of an eventually-step, samples of an always-step. */
  attempts: number;
  /** Why it failed or was skipped: the expectation it missed and what kubectl said. */
  detail?: string;
}

export interface HistorySeries {
  /** Per load and per second: what the load driver saw. */
  load: LoadSecond[];
  /** Per workload (Deployment) per sample: desired and ready replicas, as the API said. */
  workloads: WorkloadSample[];
  /** Per node per sample: its Ready condition as the API said. */
  nodes: NodeSample[];
  /** The API probe: a cheap authenticated GET at a fixed rate. */
  api: ApiProbeSample[];
}

export interface LoadSecond {
  /** Start of the second. */
  t: number;
  load: string;
  /** Namespace of the Service the load targets, so a tenant's traffic can be told from another's. */
  namespace?: string;
  /** Which driver sent it: crucible's builtin one, or the real k6 (absent in histories that did not say). */
  driver?: 'builtin' | 'k6';
  count: number;
  ok: number;
  failed: number;
  dropped: number;
  /** Failures by kind: refused, reset, timeout, http, dns, tls, other. */
  failures: Record<string, number>;
  /** Failed requests by the pod that answered them, when the answers said (absent when none did). */
  failedByPod?: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

export interface WorkloadSample {
  t: number;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  /** Pods that exist for the workload, ready or not (duplicates show as pods > desired). */
  pods: number;
}

export interface NodeSample {
  t: number;
  node: string;
  ready: 'True' | 'False' | 'Unknown';
}

export interface ApiProbeSample {
  t: number;
  ok: boolean;
  latencyMs: number;
  status?: number;
  error?: string;
}

export interface GroundTruthSample {
  t: number;
  node: string;
  /** False when the kubelet's read-only server did not answer (node lost, paused, partitioned from the host). */
  reachable: boolean;
  pods: GroundTruthPod[];
}

/** A pod on a node and its running containers, as the kubelet's `/pods` (a v1 PodList) showed them. */
export interface GroundTruthPod {
  namespace: string;
  name: string;
  uid: string;
  /** Those of its containers that run; one waiting to (re)start is left out until it runs again. */
  containers: GroundTruthContainer[];
}

/**
 * A running container of a GroundTruthPod, and what tells a restart: its identity (pid, or
 * container ID), its start time, its restart count.
 */
export interface GroundTruthContainer {
  name: string;
  /**
   * The process's pid, from a `process://<pid>` container ID (crucible's runtime); 0 for a
   * container of another runtime, which `containerId` names instead.
   */
  pid: number;
  /** When the running instance started (RFC 3339). */
  startedAt: string;
  restarts: number;
  /**
   * The container ID of a runtime other than crucible's (`containerd://…`); absent for crucible's
   * own, whose pid says it, and in histories written before it existed.
   */
  containerId?: string;
}

export interface DurabilityLog {
  writes: { t: number; key: string; value: string; acknowledged: boolean; error?: string }[];
  /** After heal: what reading each key found (undefined value: not found). */
  finalReads: { t: number; key: string; value?: string; error?: string }[];
}

export interface IsolationProbe {
  t: number;
  /**
   * Where the attempt came from: the API with the tenant's token (`api`, the default in histories
   * that do not say), or a probe pod running in the tenant's namespace (`pod`): files of its node,
   * the control plane's endpoints, the kubelets, the API with the pod's own ServiceAccount token.
   */
  from?: 'api' | 'pod';
  /** The tenant whose token (or pod) made the attempt. */
  tenant: string;
  namespace: string;
  verb: string;
  resource: string;
  /** What isolation requires: denied (403), or scoped (the answer holds only the tenant's own objects). */
  expect: 'denied' | 'scoped';
  status: number;
  /** Whether the answer kept isolation. */
  held: boolean;
  detail?: string;
}

/** When a check looks: the whole run, before the first fault, during a named fault, or after heal. */
export type CheckWindow = 'whole-run' | 'before-faults' | 'after-heal' | { during: string };

/** The one list of check types: each has a checker (harness/checks) and a shape in the scenario format. */
export const CHECK_TYPES = [
  'availability',
  'no-restarts',
  'no-duplicate-identity',
  'self-heal',
  'convergence',
  'namespace-isolation',
  'network-isolation',
  'durability',
  'leader-failover',
  'latency',
  'api-availability',
  'steps',
  'steady-state',
  'load-thresholds',
] as const;

export type CheckType = (typeof CHECK_TYPES)[number];

/** A check as the scenario declares it. */
export interface CheckSpec {
  /** Unique in the scenario; the JUnit testcase's name. */
  name: string;
  type: CheckType;
  window: CheckWindow;
  /** Type-specific thresholds, e.g. availability {minSuccessRatio: 0.99, maxErrorBurstMs: 2000}. */
  thresholds: Record<string, number>;
  /** Type-specific selection, e.g. {load: 'echo'} or {namespace: 'tenant-a', workload: 'echo'}. */
  select?: Record<string, string>;
}
