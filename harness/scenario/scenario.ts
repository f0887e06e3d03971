import type { CheckSpec, ExpectedOutcome } from '../history/history.js';
import { type ClusterSpec } from '../cluster/index.js';

/**
 * A scenario as the runner uses it: decoded strictly from YAML (scenario-spec.ts), defaulted,
 * paths resolved against the scenario file's folder, durations in milliseconds. Frozen.
 */
export interface Scenario {
  apiVersion: 'crucible.dev/v1alpha1';
  kind: 'Scenario';
  name: string;
  description?: string;
  tags: string[];
  /** The file it came from (absolute) and the sha256 of its text. */
  file: string;
  hash: string;
  /** The cluster to boot: inline fields of a Cluster spec, or the spec file it references. The provider comes from the command line. */
  cluster: ClusterSpec;
  /** Namespaces with their own user (a bearer token) bound to the `edit` role in them and nothing else. */
  tenants: TenantSpec[];
  /**
   * Namespaces the run creates for itself besides the tenants' (labelled as crucible's and removed
   * with the run): on an existing cluster a run works only in namespaces it created.
   */
  namespaces: string[];
  /** Manifests applied with kubectl, each into its tenant's first namespace (else the first of `namespaces`, else `default`). */
  workloads: WorkloadSpec[];
  steadyState: SteadyStateSpec;
  loads: ScenarioLoad[];
  faults: ScheduledFault[];
  /** Actions run in order from the start of the faults phase, beside the fault schedule (conformance). */
  steps: ScenarioStep[];
  checks: CheckSpec[];
  /** A sabotage scenario's expected outcome: this check fails, caught by it (harness/checks/expected-outcome.ts). */
  expect?: ExpectedOutcome;
  timeouts: PhaseTimeouts;
}

export interface TenantSpec {
  name: string;
  namespaces: string[];
}

export interface WorkloadSpec {
  tenant?: string;
  /** Absolute paths of manifest files. */
  manifests: string[];
}

export interface SteadyStateSpec {
  /** Every Deployment of the workloads has all its replicas ready. */
  deploymentsAvailable: boolean;
  /** Services (namespace/name) that must answer HTTP 200 through every worker's node port. */
  servicesAnswering: string[];
}

/** An open-model load at a Service, through its load balancer or every worker's node port. */
export interface ScenarioLoad {
  name: string;
  /** namespace/name of a NodePort Service. */
  service: string;
  /** Service port name or number; the first port when absent. */
  port?: string;
  path: string;
  /** Requests per second, constant; or `stages`. */
  rate?: number;
  /** A ramping load instead of `rate`, as k6's stages: each ramps to its target rate over its length. */
  stages?: { durationMs: number; target: number }[];
  startRate?: number;
  /** A mix of requests instead of one GET of `path`, as `crucible load` takes it. */
  requests?: Record<string, unknown>[];
  /** How long the load runs; default: from the start of the recorders to the end of recovery. */
  durationMs?: number;
  timeoutMs: number;
  /** Each request on a new connection (k6's noConnectionReuse): a Service balances connections, not requests. */
  noConnectionReuse: boolean;
  /** The workers whose node ports it goes through, as a client behind a load balancer that knows them; every worker when absent. */
  nodes?: string[];
  /** How it reaches the Service; auto tries the load balancer, then node ports, then `url`. */
  via: 'auto' | 'load-balancer' | 'node-port' | 'url';
  /** The Service's address as its clients reach it (loopback only). */
  url?: string;
  /** Who sends the requests; `crucible run --load-driver` overrides it. */
  driver: 'builtin' | 'k6' | 'auto';
  /** k6 thresholds (k6 driver): metric → expressions. */
  thresholds?: Record<string, string[]>;
  /** A k6 script of the user's own (absolute path), run instead of the rendered one. */
  script?: string;
}

/** One fault of the schedule, concrete: a random nemesis is expanded into these from the seed. */
export interface ScheduledFault {
  /** Unique; names the fault in check windows (`during: <id>`). Default `<type>-<n>`. */
  id: string;
  type: string;
  /** A target expression (see harness/faults/target-selector.ts), resolved when injected. */
  target: string;
  options: Record<string, unknown>;
  /** From the start of the faults phase. */
  atMs: number;
  /** How long before heal. */
  forMs: number;
  tenant?: string;
}

/** What a kubectl step's output must show: each given field must hold. */
export interface StepExpectation {
  exitCode: number;
  stdout?: OutputExpectation;
  stderr?: OutputExpectation;
}

/** A check of one output stream (compared trimmed). */
export interface OutputExpectation {
  equals?: string;
  contains?: string[];
  notContains?: string[];
  /** A regular expression (JavaScript syntax, multiline). */
  matches?: string;
  /** How many non-empty lines (those matching `matching`, when given; only different ones when `unique`) the output has. */
  lines?: { min?: number; max?: number; equals?: number; matching?: string; unique?: boolean };
}

/**
 * One step: the real kubectl with the cluster's kubeconfig (as admin or a tenant's token), or a
 * pause. `${name}` in args and stdin is what an earlier step captured.
 */
export type ScenarioStep = KubectlStep | SleepStep;

export interface KubectlStep {
  kind: 'kubectl';
  id: string;
  args: string[];
  /** A tenant: kubectl runs with that tenant's token instead of admin's. */
  as?: string;
  stdin?: string;
  expect: StepExpectation;
  /** Retry every 250 ms until the expectation holds or this long has passed (Gomega's Eventually). */
  eventuallyMs?: number;
  /** Keep the stdout (trimmed) as `${capture}` for later steps. */
  capture?: string;
  /** In the background: check the expectation every `intervalMs` until step `until` has finished (Consistently). */
  always?: { until: string; intervalMs: number };
  /** One kubectl call's deadline. */
  timeoutMs: number;
}

export interface SleepStep {
  kind: 'sleep';
  id: string;
  ms: number;
}

export interface PhaseTimeouts {
  bootMs: number;
  workloadsMs: number;
  steadyStateMs: number;
  /** After the last heal: how long the cluster gets to converge before the run moves on. */
  recoveryMs: number;
  teardownMs: number;
}
