import { request } from 'undici';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Node, Pod } from '../../orchestrator/api/types.js';
import type { RunningCluster } from '../cluster/index.js';
import type { UnmetCondition } from '../history/index.js';
import { LoadError, resolveServiceTargets, type LoadWorker } from '../load/index.js';
import type { Scenario, ScenarioLoad } from '../scenario/index.js';
import { sleep } from '../support/index.js';
import type { ExperimentRun } from './experiment-run.js';
import { workloadNamespaces } from './workloads.js';

/** How much longer than its own wait a phase that waits for the steady state may take, so its wait ends first and says why. */
export const STEADY_STATE_MARGIN_MS = 10_000;

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const POLL_MS = 250;
/** Pods named per unready Deployment; more would drown the one that explains it. */
const PODS_NAMED = 2;

/** The steady state was not reached in time: the conditions still unmet, each with its last observation. */
export class SteadyStateNotReached extends Error {
  readonly code = 'SteadyStateNotReached';

  constructor(
    readonly unmet: readonly UnmetCondition[],
    timeoutMs: number,
  ) {
    super(
      `the steady state was not reached within ${timeoutMs} ms: ${unmet.map((u) => `${u.subject}: ${u.observation}`).join('; ')}`,
    );
    this.name = 'SteadyStateNotReached';
  }
}

/** What the probes of one Service have seen so far. */
interface ServiceTally {
  sent: number;
  answered: number;
  last?: string;
}

/**
 * The steady state of Chaos Toolkit: every Deployment of the workloads' namespaces has all its
 * replicas ready, and every Service named answers 200 through every worker's node port. Every
 * condition is looked at on every pass, so that a timeout names each one still unmet with what was
 * last seen of it: how many replicas were ready and why the others are not (a pod Pending for lack
 * of cpu, a container in CrashLoopBackOff), how many probes of a Service answered and what the
 * others got.
 */
export async function waitForSteadyState(
  client: ApiClient,
  cluster: RunningCluster,
  scenario: Scenario,
  timeoutMs: number,
  signal?: AbortSignal,
  { nodesReady = false }: { nodesReady?: boolean } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const tallies = new Map<string, ServiceTally>();
  for (;;) {
    signal?.throwIfAborted();
    const unmet = [
      ...(scenario.steadyState.deploymentsAvailable ? await unreadyDeployments(client, scenario) : []),
      ...(await silentServices(client, cluster, scenario, tallies)),
      ...(nodesReady ? await unreadyNodes(client) : []),
    ];
    if (unmet.length === 0) return;
    if (Date.now() >= deadline) throw new SteadyStateNotReached(unmet, timeoutMs);
    await sleep(POLL_MS, signal);
  }
}

/**
 * The run's wait for its steady state in `phase`; when it is not reached, each unmet condition
 * goes into the history as an `unmet` event before the failure goes on.
 */
export async function awaitSteadyState(
  run: ExperimentRun,
  phase: 'steady-state' | 'recovery',
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  try {
    // Recovered means the nodes too: after a control-plane outage the data plane answers at once,
    // while the node lifecycle controller may only now find the leases stale and mark nodes Unknown.
    await waitForSteadyState(run.client!, run.cluster!, run.scenario, timeoutMs, signal, {
      nodesReady: phase === 'recovery',
    });
  } catch (e) {
    if (e instanceof SteadyStateNotReached)
      for (const u of e.unmet) run.record({ t: run.now(), type: 'unmet', phase, ...u });
    throw e;
  }
}

async function unreadyNodes(client: ApiClient): Promise<UnmetCondition[]> {
  let nodes: Node[];
  try {
    nodes = (await client.list<Node>(NODES)).items;
  } catch (e) {
    return [{ subject: 'nodes', observation: `cannot be listed: ${(e as Error).message}` }];
  }
  return nodes.flatMap((n) => {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === 'True'
      ? []
      : [
          {
            subject: `node ${n.metadata.name}`,
            observation: `not Ready (${ready?.status ?? 'no condition'})`,
          },
        ];
  });
}

async function unreadyDeployments(client: ApiClient, scenario: Scenario): Promise<UnmetCondition[]> {
  const unmet: UnmetCondition[] = [];
  for (const namespace of workloadNamespaces(scenario)) {
    let deployments: Deployment[];
    try {
      deployments = (await client.list<Deployment>(DEPLOYMENTS, namespace)).items;
    } catch (e) {
      unmet.push({
        subject: `deployments in ${namespace}`,
        observation: `cannot be listed: ${(e as Error).message}`,
      });
      continue;
    }
    for (const d of deployments) {
      const ready = d.status?.readyReplicas ?? 0;
      const desired = d.spec?.replicas ?? 1;
      if (ready >= desired) continue;
      const why = await unreadyPods(client, namespace, d).catch(() => []);
      unmet.push({
        subject: `deployment ${namespace}/${d.metadata.name}`,
        observation: [`${ready} of ${desired} replicas ready`, ...why].join('; '),
      });
    }
  }
  return unmet;
}

/** Why the Deployment's pods are not ready, for the first few of them. */
async function unreadyPods(client: ApiClient, namespace: string, d: Deployment): Promise<string[]> {
  const labels = Object.entries(d.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const pods = (
    await client.list<Pod>(PODS, namespace, labels.length ? { labelSelector: labels.join(',') } : {})
  ).items;
  return pods
    .filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .slice(0, PODS_NAMED)
    .map((p) => `pod ${p.metadata.name} ${podTrouble(p)}`);
}

/** A pod's trouble in the words `kubectl describe` would use. */
export function podTrouble(pod: Pod): string {
  const phase = pod.status?.phase ?? 'Pending';
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `${phase}: ${unscheduled.message ?? unscheduled.reason ?? 'not scheduled'}`;
  for (const s of pod.status?.containerStatuses ?? []) {
    const waiting = s.state?.waiting;
    if (waiting?.reason)
      return `${phase}: container ${s.name} ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    const last = s.lastState?.terminated;
    if (last && !s.ready)
      return `${phase}: container ${s.name} last exited ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}, ${s.restartCount} restart(s)`;
    if (s.state?.running && !s.ready)
      return `${phase}: container ${s.name} running, not ready (readiness probe)`;
  }
  return pod.spec.nodeName ? `${phase} on ${pod.spec.nodeName}` : `${phase}: not scheduled yet`;
}

async function silentServices(
  client: ApiClient,
  cluster: RunningCluster,
  scenario: Scenario,
  tallies: Map<string, ServiceTally>,
): Promise<UnmetCondition[]> {
  const unmet: UnmetCondition[] = [];
  for (const service of scenario.steadyState.servicesAnswering) {
    const tally = tallies.get(service) ?? { sent: 0, answered: 0 };
    tallies.set(service, tally);
    let targets;
    try {
      targets = await serviceProbeTargets(client, cluster.record.workers, scenario.loads, service);
    } catch (e) {
      unmet.push({ subject: `service ${service}`, observation: (e as Error).message });
      continue;
    }
    const failing: string[] = [];
    for (const target of targets) {
      tally.sent++;
      const answer = await request(target.url, { reset: true, headersTimeout: 2000, bodyTimeout: 2000 }).then(
        async (res) => {
          await res.body.dump();
          return res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`;
        },
        (e: Error & { code?: string }) => connectionWords(e),
      );
      if (answer === undefined) tally.answered++;
      else failing.push(`${target.url.replace(/^http:\/\//, '')} (${answer})`);
    }
    if (failing.length) {
      tally.last = failing.join(', ');
      unmet.push({
        subject: `service ${service}`,
        observation: `${tally.answered} of ${tally.sent} probes answered; last failing: ${tally.last}`,
      });
    }
  }
  return unmet;
}

/**
 * Where a Service that must answer is probed: through every worker's node port, as its load
 * reaches it by default; at the url a load of the scenario gives for it instead when that load
 * goes `via: url`, or when the Service has no node port (an existing cluster's ingress).
 */
export async function serviceProbeTargets(
  client: Pick<ApiClient, 'get'>,
  workers: readonly LoadWorker[],
  loads: readonly ScenarioLoad[],
  service: string,
): Promise<{ url: string }[]> {
  const [namespace, name] = service.split('/') as [string, string];
  const url = loads.find((l) => l.service === service && l.url !== undefined);
  if (url?.via === 'url') return [{ url: url.url! }];
  try {
    return await resolveServiceTargets(client, workers, namespace, name);
  } catch (e) {
    if (url && e instanceof LoadError && e.code === 'ServiceWithoutNodePort') return [{ url: url.url! }];
    throw e;
  }
}

function connectionWords(e: Error & { code?: string }): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'no answer within 2 s';
    default:
      return e.code ?? e.message;
  }
}
