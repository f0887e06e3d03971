import type { HistoryEvent, IsolationProbe } from '../history/history.js';
import type { HistoryPart } from '../history/history-assembler.js';
import type { Node, Pod, Service } from '../../orchestrator/api/types.js';
import type { ApiAccess } from './api-access.js';
import { crossTenantPeers, MAX_PEERS_PER_TENANT, type PeerCandidates } from './cross-tenant-peers.js';
import type { IsolationTenant } from './isolation-battery.js';
import { NoAnswerError } from './no-answer-error.js';
import { RawApiClient } from './raw-api-client.js';
import { elapsedSince } from './recorder-options.js';
import { statusMessage } from './status-message.js';
import { sleep } from '../support/index.js';

/** What a pod of the cluster must not read or reach (the cluster's own list: RunningCluster.podEscapeTargets). */
export interface EscapeTargets {
  files: readonly string[];
  urls: Readonly<Record<string, string>>;
}

export interface InPodProbesOptions {
  tenants: readonly IsolationTenant[];
  apiservers: readonly string[];
  caPem: string;
  /** The admin's credentials on the same apiservers: to list the pods, Services and nodes the probe pods try to reach. */
  admin: Pick<ApiAccess, 'token' | 'clientCert'>;
  targets: EscapeTargets;
  /** At most this many of each other tenant's pods' ports and Services a probe pod tries; default 20. */
  maxPeersPerTenant?: number;
  runStartedAt: number;
  clock?: () => number;
  /** How long a probe pod may take to run to its end; default 60 s. */
  timeoutMs?: number;
}

/** The probe pod's name in each tenant namespace. */
export const PROBE_POD = 'crucible-isolation-probe';
/** The label on every probe pod (its tenant's name): the harness's own pods, never a fault's targets. */
export const PROBE_POD_LABEL = 'crucible.dev/isolation-probe';
const POLL_MS = 250;

/** One line of the probe program's log (orchestrator/workloads/isolation-probe.ts). */
interface ProbeLine {
  kind: 'file' | 'url' | 'api' | 'peer';
  target: string;
  outcome: 'denied' | 'leaked' | 'missing';
  detail: string;
}

/**
 * Isolation checked from inside pods: in each tenant's first namespace, with the tenant's own
 * token, a pod of `crucible/isolation-probe` tries to read the node's credentials and other pods'
 * directories, to reach etcd, Toxiproxy's API and the kubelets, and to call the apiserver with its
 * own ServiceAccount token on the other tenants' namespaces, and to talk to the other tenants'
 * pods and node-port Services (its peers, read with the admin's credentials just before; see
 * crossTenantPeers): a peer that answered was reached (verb `connect`, judged by
 * network-isolation). Each attempt becomes a probe (`from: 'pod'`, expect `denied`); one that got
 * through did not hold, with what it got as detail. A pod that cannot be run or read is an `error`
 * event, not a probe; when the peers cannot be listed, the pods run without them and the failure
 * is an `error` event.
 */
export class InPodProbes {
  private readonly client: RawApiClient;
  private readonly adminClient: RawApiClient;
  private readonly now: () => number;
  private readonly recorded: IsolationProbe[] = [];
  private readonly recordedEvents: HistoryEvent[] = [];
  private pass?: Promise<void>;

  constructor(private readonly options: InPodProbesOptions) {
    this.now = elapsedSince(options);
    this.client = new RawApiClient({ apiservers: options.apiservers, caPem: options.caPem, timeoutMs: 5000 });
    this.adminClient = new RawApiClient({
      apiservers: options.apiservers,
      caPem: options.caPem,
      ...(options.admin.clientCert ? { clientCert: options.admin.clientCert } : {}),
      timeoutMs: 5000,
    });
  }

  get probes(): readonly IsolationProbe[] {
    return this.recorded;
  }

  part(): HistoryPart {
    return { isolation: this.recorded, events: this.recordedEvents };
  }

  /**
   * One probe pod per tenant, all at once; never rejects. A call while a pass is running joins it:
   * each tenant has one probe pod, by name.
   */
  run(): Promise<void> {
    this.pass ??= this.runPass().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async runPass(): Promise<void> {
    const candidates = await this.peerCandidates();
    await Promise.all(this.options.tenants.map((tenant) => this.probeFrom(tenant, candidates)));
  }

  /** Closes the connections; safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all([this.client.close(), this.adminClient.close()]);
  }

  /** Every pod, Service and node, as the admin reads them; none (and an `error` event) when they cannot be read. */
  private async peerCandidates(): Promise<PeerCandidates> {
    try {
      const [pods, services, nodes] = await Promise.all([
        this.listAll<Pod>('/api/v1/pods'),
        this.listAll<Service>('/api/v1/services'),
        this.listAll<Node>('/api/v1/nodes'),
      ]);
      return { pods, services, nodes };
    } catch (e) {
      const why = e instanceof NoAnswerError ? `no answer: ${e.message}` : (e as Error).message;
      this.recordedEvents.push({
        t: this.now(),
        type: 'error',
        source: 'isolation',
        message: `in-pod probes: other tenants' pods and Services not tried: ${why}`,
      });
      return { pods: [], services: [], nodes: [] };
    }
  }

  private async listAll<T>(path: string): Promise<T[]> {
    const answer = await this.adminClient.send('GET', path, this.options.admin.token);
    if (answer.status >= 300)
      throw new Error(`cannot list ${path}: ${statusMessage(answer.status, answer.body)}`);
    return (answer.body as { items?: T[] }).items ?? [];
  }

  private async probeFrom(tenant: IsolationTenant, candidates: PeerCandidates): Promise<void> {
    const namespace = tenant.namespaces[0]!;
    const t = this.now();
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    try {
      await this.client.send('DELETE', `${base}/${PROBE_POD}?gracePeriodSeconds=0`, tenant.token);
      await this.waitGone(`${base}/${PROBE_POD}`, tenant.token);
      const created = await this.client.send(
        'POST',
        base,
        tenant.token,
        this.probePod(tenant, namespace, candidates),
      );
      if (created.status >= 300)
        throw new Error(`cannot create the probe pod: ${statusMessage(created.status, created.body)}`);
      await this.waitFinished(`${base}/${PROBE_POD}`, tenant.token);
      const log = await this.client.send('GET', `${base}/${PROBE_POD}/log`, tenant.token);
      if (log.status >= 300)
        throw new Error(`cannot read the probe pod's log: ${statusMessage(log.status, log.body)}`);
      const text = typeof log.body === 'string' ? log.body : JSON.stringify(log.body);
      for (const line of text.split('\n').filter((l) => l.startsWith('{'))) {
        const attempt = JSON.parse(line) as ProbeLine;
        if (attempt.outcome !== 'missing') this.recorded.push(toProbe(t, tenant.name, namespace, attempt));
      }
    } catch (e) {
      const why = e instanceof NoAnswerError ? `no answer: ${e.message}` : (e as Error).message;
      this.recordedEvents.push({
        t,
        type: 'error',
        source: 'isolation',
        message: `tenant ${tenant.name}: in-pod probes: ${why}`,
      });
    } finally {
      await this.client
        .send('DELETE', `${base}/${PROBE_POD}?gracePeriodSeconds=0`, tenant.token)
        .catch(() => undefined);
    }
  }

  private probePod(tenant: IsolationTenant, namespace: string, candidates: PeerCandidates): unknown {
    const others = this.options.tenants
      .filter((o) => o.name !== tenant.name)
      .flatMap((o) => o.namespaces)
      .filter((ns) => !tenant.namespaces.includes(ns));
    const env = {
      PROBE_FILES: this.options.targets.files.join(','),
      PROBE_URLS: Object.entries(this.options.targets.urls)
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
      PROBE_FOREIGN_NAMESPACES: others.join(','),
      PROBE_PEERS: crossTenantPeers(
        tenant,
        this.options.tenants,
        candidates,
        this.options.maxPeersPerTenant ?? MAX_PEERS_PER_TENANT,
      )
        .map((peer) => `${peer.name}=${peer.address}`)
        .join(','),
    };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: PROBE_POD, namespace, labels: { [PROBE_POD_LABEL]: tenant.name } },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'probe',
            image: 'crucible/isolation-probe',
            env: Object.entries(env).map(([name, value]) => ({ name, value })),
          },
        ],
      },
    };
  }

  private async waitGone(path: string, token: string): Promise<void> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 60_000);
    while ((await this.client.send('GET', path, token)).status !== 404) {
      if (Date.now() > deadline) throw new Error('an earlier probe pod is still there');
      await sleep(POLL_MS);
    }
  }

  private async waitFinished(path: string, token: string): Promise<void> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 60_000);
    for (;;) {
      const answer = await this.client.send('GET', path, token);
      const phase = (answer.body as { status?: { phase?: string } } | undefined)?.status?.phase;
      if (phase === 'Succeeded') return;
      if (phase === 'Failed') throw new Error('the probe pod failed (see its log)');
      if (Date.now() > deadline)
        throw new Error(
          `the probe pod did not finish within ${this.options.timeoutMs ?? 60_000} ms (phase ${phase ?? 'unknown'})`,
        );
      await sleep(POLL_MS);
    }
  }
}

function toProbe(t: number, tenant: string, namespace: string, attempt: ProbeLine): IsolationProbe {
  const verb = { file: 'read', url: 'get', api: 'get', peer: 'connect' }[attempt.kind];
  const held = attempt.outcome !== 'leaked';
  // A peer's detail is the first line of its answer: an HTTP status line gives the probe its status.
  const status = /^\d+$/.test(attempt.detail)
    ? Number(attempt.detail)
    : Number(/^HTTP\/\d(?:\.\d)? (\d{3})\b/.exec(attempt.detail)?.[1] ?? 0);
  const got = attempt.kind === 'peer' ? `answered ${JSON.stringify(attempt.detail)}` : attempt.detail;
  // A refused peer keeps why (reset, refused, no answer): a refusal by a closed port is not a policy's.
  const detail = !held
    ? `got through from inside a pod: ${got}`
    : attempt.kind === 'peer'
      ? attempt.detail
      : undefined;
  return {
    t,
    from: 'pod',
    tenant,
    namespace,
    verb,
    resource: attempt.target,
    expect: 'denied',
    status,
    held,
    ...(detail === undefined ? {} : { detail }),
  };
}
