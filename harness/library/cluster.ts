import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment } from '../../orchestrator/api/types.js';
import { type ClusterRecord, type ProviderName, type RunningCluster, adminClient } from '../cluster/index.js';
import { runKubectl } from '../experiment/index.js';
import { FaultInjector } from '../faults/index.js';
import type { FaultRef } from '../history/index.js';
import {
  createLoadDriver,
  parseLoadSpec,
  resolveLoadBalancerTarget,
  resolveServiceTargets,
  type LoadProgress,
  type LoadResult,
  type LoadSpecInput,
  urlTargets,
} from '../load/index.js';
import { pollUntil, seededRandom } from '../support/index.js';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
import { CrucibleError } from './library-error.js';

/** A fault in force, as `Cluster.faults.inject` gives it. */
export interface ActiveFault extends FaultRef {
  /** Undoes the fault; safe to call twice. */
  heal(): Promise<void>;
}

/** A load under way, as `Cluster.load` gives it. */
export interface ActiveLoad {
  /** What the load saw, once it ended (its duration, or `stop`). */
  readonly result: Promise<LoadResult>;
  /** The latest progress, about once a second. */
  readonly progress: LoadProgress | undefined;
  /** Stops sending; what is in flight is still recorded. */
  stop(): Promise<LoadResult>;
}

/** What `Cluster.load` takes: a load spec, with `service` (namespace/name) instead of URLs as its target. */
export type ClusterLoadSpec = Omit<LoadSpecInput, 'target'> & {
  /** A Service, `namespace/name`, reached as a client outside the cluster would: through its load balancer or its node ports. */
  service?: string;
  /** Or URLs, as `crucible load --target` takes them. */
  target?: string;
  /** The Service's port, by number or name, when it has several. */
  port?: number | string;
};

/**
 * A cluster of the bundled orchestrator, up, for a test: its kubeconfig and an admin API client,
 * its workers' host addresses, faults to inject (each healed by `heal()`, or at `down()`), loads to
 * drive. `down()` — or `await using` — removes it with every fault still in force.
 */
export class Cluster implements AsyncDisposable {
  /** An API client of the cluster's admin (it closes with `down`). */
  readonly client: ApiClient;
  readonly faults: {
    inject(type: string, target: string, options?: Record<string, unknown>): Promise<ActiveFault>;
  };
  private readonly injector: FaultInjector;
  private downed?: Promise<void>;

  constructor(private readonly running: RunningCluster) {
    this.client = adminClient(running);
    this.injector = new FaultInjector({ cluster: running, random: seededRandom(Date.now()) });
    this.faults = { inject: (type, target, options = {}) => this.inject(type, target, options) };
  }

  get name(): string {
    return this.running.name;
  }

  get provider(): ProviderName {
    return this.running.provider;
  }

  /** The admin's kubeconfig (a file): `kubectl --kubeconfig`, or KUBECONFIG, or @kubernetes/client-node. */
  get kubeconfig(): string {
    return this.running.credentials.kubeconfig;
  }

  /** Each worker's name and host address (node ports at `ip:<nodePort>`). */
  get workers(): ClusterRecord['workers'] {
    return this.running.record.workers;
  }

  /** The cluster's live handle, for what this class does not wrap (node operations, logs). */
  get nodes(): RunningCluster {
    this.assertUp();
    return this.running;
  }

  /**
   * Applies manifests with the real kubectl as the cluster's admin (`kubectl apply -f`): a file or
   * folder, or the manifests' YAML text. Rejects with kubectl's own message when it fails.
   */
  async apply(manifests: string, options: { namespace?: string; text?: boolean } = {}): Promise<string> {
    this.assertUp();
    const output = await runKubectl(
      [
        'apply',
        '--validate=false',
        ...(options.namespace ? ['-n', options.namespace] : []),
        '-f',
        options.text ? '-' : manifests,
      ],
      {
        kubeconfig: this.kubeconfig,
        ...(options.text ? { stdin: manifests } : {}),
        cwd: process.cwd(),
        timeoutMs: 60_000,
      },
    );
    if (output.exitCode !== 0)
      throw new CrucibleError(
        'InvalidArgument',
        `kubectl apply failed (${output.exitCode}): ${output.stderr.trim()}`,
      );
    return output.stdout;
  }

  /** Waits until the Deployment has every replica ready; rejects after `timeoutMs` saying how many were. */
  async waitForReady(namespace: string, deployment: string, timeoutMs = 60_000): Promise<void> {
    this.assertUp();
    let seen = 'not found yet';
    await pollUntil(
      async () => {
        const d = await this.client.get<Deployment>(DEPLOYMENTS, namespace, deployment);
        const [ready, desired] = [d.status?.readyReplicas ?? 0, d.spec?.replicas ?? 1];
        seen = `${ready} of ${desired} replicas ready`;
        return ready >= desired;
      },
      timeoutMs,
      () => `deployment ${namespace}/${deployment} to be ready (${seen})`,
      250,
    );
  }

  /** Starts a load at a Service of the cluster (or at URLs); see ClusterLoadSpec. */
  async load(spec: ClusterLoadSpec): Promise<ActiveLoad> {
    this.assertUp();
    const { service, port, target, ...rest } = spec;
    if ((service === undefined) === (target === undefined))
      throw new CrucibleError(
        'InvalidArgument',
        'load: give exactly one of service (namespace/name) and target (URLs)',
      );
    let targets;
    if (service !== undefined) {
      const [namespace, name] = service.split('/');
      if (!namespace || !name)
        throw new CrucibleError('InvalidArgument', `load: service "${service}" is not namespace/name`);
      const balancer = await resolveLoadBalancerTarget(this.client, namespace, name, port);
      targets = balancer
        ? [balancer]
        : await resolveServiceTargets(this.client, this.workers, namespace, name, port);
    }
    const parsed = parseLoadSpec({ ...rest, target: target ?? targets![0]!.url });
    const driver = await createLoadDriver(parsed, targets ?? urlTargets(target!.split(',')));
    const abort = new AbortController();
    let progress: LoadProgress | undefined;
    const result = driver.run({ signal: abort.signal, onProgress: (p) => (progress = p) });
    return {
      result,
      get progress() {
        return progress;
      },
      stop: () => {
        abort.abort();
        return result;
      },
    };
  }

  /** Removes the cluster and everything of it; safe to call twice. */
  down(): Promise<void> {
    this.downed ??= (async () => {
      await this.client.close();
      await this.running.delete();
    })();
    return this.downed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.down();
  }

  private async inject(type: string, target: string, options: Record<string, unknown>): Promise<ActiveFault> {
    this.assertUp();
    const fault = await this.injector.inject(type, target, options);
    let healed: Promise<void> | undefined;
    return { ...fault, heal: () => (healed ??= this.injector.heal(fault)) };
  }

  private assertUp(): void {
    if (this.downed) throw new CrucibleError('ClusterDown', `cluster ${this.name} is down`);
  }
}
