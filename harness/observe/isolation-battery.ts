import type { HistoryEvent, IsolationProbe } from '../history/history.js';
import type { HistoryPart } from '../history/history-assembler.js';
import { NoAnswerError } from './no-answer-error.js';
import { RawApiClient, type RawAnswer } from './raw-api-client.js';
import { elapsedSince } from './recorder-options.js';
import { statusMessage } from './status-message.js';

/** A tenant: a user confined (by RBAC the runner set up) to its namespaces. */
export interface IsolationTenant {
  name: string;
  namespaces: readonly string[];
  /** The tenant user's bearer token. */
  token: string;
}

export interface IsolationBatteryOptions {
  tenants: readonly IsolationTenant[];
  apiservers: readonly string[];
  caPem: string;
  runStartedAt: number;
  clock?: () => number;
  /** Deadline of each attempt; default 1000 ms. */
  timeoutMs?: number;
}

/** The label on the ConfigMap a create attempt writes: whose attempt it was. */
export const ISOLATION_PROBE_LABEL = 'crucible.dev/isolation-probe';

/** The namespace recorded for an attempt across every namespace (list pods, list namespaces). */
export const ALL_NAMESPACES = '*';

interface Attempt {
  verb: string;
  resource: string;
  namespace: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

type Verdict = Pick<IsolationProbe, 'held' | 'detail'>;

/**
 * The namespace isolation battery. Each `run` makes, with each tenant's own token:
 * - `scoped`: a list of the ConfigMaps of each of its namespaces, which must succeed and hold
 *   only its own objects (none in another namespace, none that another tenant's create attempt
 *   left there);
 * - `denied`, for every other tenant's namespace: get, list, create and delete of a ConfigMap,
 *   and a list of its pods, services and deployments;
 * - `denied`, across the cluster (namespace `*`): a list of every pod, and of the namespaces.
 *
 * A denied attempt held when the apiserver refused it (403, or 401: nothing was done). Any other
 * answer means it got past authorization — 404 on a get or delete, 409 on a create included —
 * and broke isolation. An attempt without a verdict (no answer, 429, 5xx) is not a probe: it is
 * recorded as an `error` event, and the attempts after it to the same namespace are skipped (the
 * API is down; waiting for each would take the whole fault). A create that got through is
 * deleted by the delete attempt that follows it, with the same token.
 */
export class IsolationBattery {
  private readonly client: RawApiClient;
  private readonly now: () => number;
  private readonly recorded: IsolationProbe[] = [];
  private readonly recordedEvents: HistoryEvent[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping?: Promise<void>;

  constructor(private readonly options: IsolationBatteryOptions) {
    this.now = elapsedSince(options);
    this.client = new RawApiClient({
      apiservers: options.apiservers,
      caPem: options.caPem,
      timeoutMs: options.timeoutMs ?? 1000,
    });
  }

  /** Every probe of every run so far. */
  get probes(): readonly IsolationProbe[] {
    return this.recorded;
  }

  /** Attempts that got no verdict (no answer, 429, 5xx). */
  get events(): readonly HistoryEvent[] {
    return this.recordedEvents;
  }

  part(): HistoryPart {
    return { isolation: this.recorded, events: this.recordedEvents };
  }

  /**
   * One round of the battery, every probe at `t` (default: now). Scoped lists go first, so a
   * create that got through into a tenant's namespace in this round cannot make that tenant's
   * own list fail. Returns this round's probes. Never rejects; after stop() it does nothing.
   */
  async run(t: number = this.now()): Promise<IsolationProbe[]> {
    if (this.stopping) return [];
    const round = this.round(t);
    this.inFlight.add(round);
    try {
      const probes = await round;
      this.recorded.push(...probes);
      return probes;
    } finally {
      this.inFlight.delete(round);
    }
  }

  /** Waits for a run in flight, then closes the connections; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= Promise.allSettled([...this.inFlight]).then(() => this.client.close());
    return this.stopping;
  }

  private async round(t: number): Promise<IsolationProbe[]> {
    const { tenants } = this.options;
    const scoped = await Promise.all(
      tenants.flatMap((tenant) => tenant.namespaces.map((ns) => this.scopedList(t, tenant, ns))),
    );
    const crossing = await Promise.all(
      tenants.flatMap((tenant) =>
        tenants
          .filter((other) => other.name !== tenant.name)
          .flatMap((other) => other.namespaces)
          .filter((ns) => !tenant.namespaces.includes(ns))
          .map((ns) => this.attemptAll(t, tenant, crossAttempts(tenant, ns))),
      ),
    );
    const clusterWide = await Promise.all(
      tenants.map((tenant) => this.attemptAll(t, tenant, clusterAttempts())),
    );
    return [...scoped.flat(), ...crossing.flat(), ...clusterWide.flat()];
  }

  private async scopedList(t: number, tenant: IsolationTenant, namespace: string): Promise<IsolationProbe[]> {
    const attempt: Attempt = {
      verb: 'list',
      resource: 'configmaps',
      namespace,
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`,
    };
    const answer = await this.send(t, tenant, attempt);
    if (!answer) return [];
    return [probe(t, tenant, attempt, 'scoped', answer.status, scopedVerdict(tenant, namespace, answer))];
  }

  /** The attempts in order, until one gets no verdict. */
  private async attemptAll(
    t: number,
    tenant: IsolationTenant,
    attempts: Attempt[],
  ): Promise<IsolationProbe[]> {
    const probes: IsolationProbe[] = [];
    for (const [i, attempt] of attempts.entries()) {
      const answer = await this.send(t, tenant, attempt, attempts.length - i - 1);
      if (!answer) break;
      probes.push(probe(t, tenant, attempt, 'denied', answer.status, deniedVerdict(answer)));
    }
    return probes;
  }

  /** The answer, or undefined (and an error event) when it gives no verdict. */
  private async send(
    t: number,
    tenant: IsolationTenant,
    attempt: Attempt,
    skipped = 0,
  ): Promise<RawAnswer | undefined> {
    let problem: string;
    try {
      const answer = await this.client.send(attempt.method, attempt.path, tenant.token, attempt.body);
      if (answer.status !== 429 && answer.status < 500) return answer;
      problem = statusMessage(answer.status, answer.body);
    } catch (e) {
      problem = e instanceof NoAnswerError ? `no answer: ${e.message}` : String(e);
    }
    const rest = skipped > 0 ? `; ${skipped} more attempt(s) there skipped` : '';
    this.recordedEvents.push({
      t,
      type: 'error',
      source: 'isolation',
      message: `tenant ${tenant.name}: ${attempt.verb} ${attempt.resource} in namespace ${attempt.namespace} gave no verdict (${problem})${rest}`,
    });
    return undefined;
  }
}

function crossAttempts(tenant: IsolationTenant, namespace: string): Attempt[] {
  const ns = `/namespaces/${encodeURIComponent(namespace)}`;
  const name = `crucible-isolation-${tenant.name}`;
  const at = (verb: string, resource: string, method: Attempt['method'], path: string, body?: unknown) => ({
    verb,
    resource,
    namespace,
    method,
    path,
    ...(body === undefined ? {} : { body }),
  });
  return [
    at('get', 'configmaps', 'GET', `/api/v1${ns}/configmaps/${name}`),
    at('list', 'configmaps', 'GET', `/api/v1${ns}/configmaps`),
    at('create', 'configmaps', 'POST', `/api/v1${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels: { [ISOLATION_PROBE_LABEL]: tenant.name } },
      data: { tenant: tenant.name },
    }),
    at('delete', 'configmaps', 'DELETE', `/api/v1${ns}/configmaps/${name}`),
    at('list', 'pods', 'GET', `/api/v1${ns}/pods`),
    at('list', 'services', 'GET', `/api/v1${ns}/services`),
    at('list', 'deployments', 'GET', `/apis/apps/v1${ns}/deployments`),
  ];
}

function clusterAttempts(): Attempt[] {
  return [
    { verb: 'list', resource: 'pods', namespace: ALL_NAMESPACES, method: 'GET', path: '/api/v1/pods' },
    {
      verb: 'list',
      resource: 'namespaces',
      namespace: ALL_NAMESPACES,
      method: 'GET',
      path: '/api/v1/namespaces',
    },
  ];
}

function probe(
  t: number,
  tenant: IsolationTenant,
  attempt: Attempt,
  expect: IsolationProbe['expect'],
  status: number,
  verdict: Verdict,
): IsolationProbe {
  return {
    t,
    tenant: tenant.name,
    namespace: attempt.namespace,
    verb: attempt.verb,
    resource: attempt.resource,
    expect,
    status,
    ...verdict,
  };
}

function deniedVerdict({ status, body }: RawAnswer): Verdict {
  if (status === 403) return { held: true };
  if (status === 401) return { held: true, detail: 'the token was not accepted (401), so nothing was done' };
  if (status < 300) {
    const items = (body as { items?: unknown } | undefined)?.items;
    return {
      held: false,
      detail: Array.isArray(items) ? `allowed: the answer listed ${items.length} object(s)` : 'allowed',
    };
  }
  return { held: false, detail: `got past authorization: ${statusMessage(status, body)}` };
}

function scopedVerdict(tenant: IsolationTenant, namespace: string, { status, body }: RawAnswer): Verdict {
  if (status >= 300)
    return {
      held: false,
      detail: `the tenant cannot list its own namespace: ${statusMessage(status, body)}`,
    };
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return { held: false, detail: 'the answer is not a list' };
  const foreign = (
    items as { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }[]
  )
    .filter((item) => {
      const owner = item.metadata?.labels?.[ISOLATION_PROBE_LABEL];
      return item.metadata?.namespace !== namespace || (owner !== undefined && owner !== tenant.name);
    })
    .map((item) => `${item.metadata?.namespace ?? '?'}/${item.metadata?.name ?? '?'}`);
  return foreign.length === 0
    ? { held: true }
    : { held: false, detail: `the answer holds objects not the tenant's: ${foreign.slice(0, 5).join(', ')}` };
}
