import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { RunningCluster } from '../cluster/index.js';
import type { HistoryEvent, LoadSecond } from '../history/index.js';
import { createLoadDriver, parseLoadSpec, type LoadProgress, type LoadResult } from '../load/index.js';
import {
  ApiProbeRecorder,
  ClusterStateRecorder,
  DurabilityWriter,
  GroundTruthRecorder,
  InPodProbes,
  IsolationBattery,
  adminAccess,
  nodeProxyPodsReader,
  toLoadSeconds,
} from '../observe/index.js';
import type { Scenario, ScenarioLoad } from '../scenario/scenario.js';
import { resolveLoadRoute } from './load-route.js';
import { harnessNamespace } from './tenant-setup.js';
import { workloadNamespaces } from './workloads.js';

/** The recorders of one run; the isolation battery only with two tenants or more. */
export type RecorderSet = {
  cluster: ClusterStateRecorder;
  api: ApiProbeRecorder;
  truth: GroundTruthRecorder;
  durability: DurabilityWriter;
  isolation?: IsolationBattery;
  /** The same from inside a probe pod in each tenant's namespace, where the cluster confines pods. */
  inPod?: InPodProbes;
};

export interface ObservationOptions {
  cluster: RunningCluster;
  scenario: Scenario;
  /** When the run started (ms since the epoch): the history's time zero. */
  runStartedAt: number;
  /** Each tenant's bearer token. */
  tenantTokens: Readonly<Record<string, string>>;
  /** Every load's driver, whatever the scenario says (`crucible run --load-driver`). */
  loadDriver?: 'builtin' | 'k6' | 'auto';
  /** Where lines for the run's progress go (which way each load reaches its Service). */
  progress?: (line: string) => void;
}

interface RunningLoad {
  name: string;
  namespace: string;
  driver: 'builtin' | 'k6';
  result: Promise<LoadResult>;
}

/**
 * What watches a run from the steady state to the end: the recorders (the API's view, the API
 * probe, the kubelets' ground truth, the durability writer, the isolation battery) and the
 * scenario's loads. Started once; `stop` ends them all and hands back what the loads saw.
 */
export class Observation {
  readonly recorders: RecorderSet;
  /** What each load has seen so far, by name, for the live line. */
  readonly loadProgress = new Map<string, LoadProgress>();
  private readonly loads: RunningLoad[] = [];
  private readonly loadAbort = new AbortController();
  /** The run's admin client, from `start` on. */
  private client?: ApiClient;

  constructor(private readonly of: ObservationOptions) {
    const { cluster, scenario, runStartedAt } = of;
    const options = { runStartedAt };
    const access = adminAccess(cluster);
    const tenants = scenario.tenants.map((t) => ({ ...t, token: of.tenantTokens[t.name]! }));
    const isolated = scenario.tenants.length > 1;
    this.recorders = {
      cluster: new ClusterStateRecorder({ ...options, access, namespaces: workloadNamespaces(scenario) }),
      api: new ApiProbeRecorder({ ...options, access }),
      truth: new GroundTruthRecorder({
        ...options,
        workers: cluster.record.workers,
        // On a cluster not its own, crucible reaches the kubelets only as the API lets it: through
        // the apiserver's node proxy (a real kubelet's port wants credentials crucible lacks).
        ...(cluster.features.has('own-cluster')
          ? {}
          : { readPods: (worker, signal) => nodeProxyPodsReader(this.client!)(worker, signal) }),
      }),
      durability: new DurabilityWriter({ ...options, access, namespace: harnessNamespace(cluster.name) }),
      ...(isolated
        ? {
            isolation: new IsolationBattery({
              ...options,
              apiservers: access.apiservers,
              caPem: access.caPem,
              tenants,
            }),
          }
        : {}),
      ...(isolated && cluster.record.podConfinement?.confined
        ? {
            inPod: new InPodProbes({
              ...options,
              apiservers: access.apiservers,
              caPem: access.caPem,
              admin: access,
              tenants,
              targets: cluster.podEscapeTargets(),
            }),
          }
        : {}),
    };
  }

  /** Starts the recorders and every load, then runs the isolation battery once. */
  async start(client: ApiClient): Promise<void> {
    this.client = client;
    const { cluster, api, truth, durability } = this.recorders;
    for (const recorder of [cluster, api, truth, durability]) recorder.start();
    for (const load of this.of.scenario.loads) await this.startLoad(client, load);
    await Promise.all([this.recorders.isolation?.run(), this.recorders.inPod?.run()]);
  }

  /**
   * Stops the loads and the recorders; reads back the durability writes unless the run was
   * aborted. A load that failed is an `error` event, not a failure of the collection.
   */
  async stop(options: { verifyDurability: boolean; now: () => number; record: (e: HistoryEvent) => void }) {
    this.loadAbort.abort();
    const loadSeconds: LoadSecond[] = [];
    for (const load of this.loads) {
      const result = await load.result.catch((e: Error) => {
        options.record({ t: options.now(), type: 'error', source: `load ${load.name}`, message: e.message });
        return undefined;
      });
      if (!result) continue;
      loadSeconds.push(
        ...toLoadSeconds(load.name, load.namespace, result.buckets, this.of.runStartedAt).map((second) => ({
          ...second,
          driver: load.driver,
        })),
      );
      if (result.thresholds.length)
        options.record({
          t: options.now(),
          type: 'load-thresholds',
          load: load.name,
          thresholds: result.thresholds,
        });
    }
    const { cluster, api, truth, durability, isolation, inPod } = this.recorders;
    await Promise.all([
      cluster.stop(),
      api.stop(),
      truth.stop(),
      durability.stop(),
      isolation?.stop(),
      inPod?.stop(),
    ]);
    if (options.verifyDurability) await durability.verify();
    return loadSeconds;
  }

  private async startLoad(client: ApiClient, load: ScenarioLoad): Promise<void> {
    const namespace = load.service.split('/')[0]!;
    const route = await resolveLoadRoute(client, this.of.cluster, load);
    this.of.progress?.(`load ${load.name} reaches ${load.service} through ${route.words}`);
    const targets = route.targets;
    const spec = parseLoadSpec({
      target: targets[0]!.url,
      ...(load.stages
        ? {
            stages: load.stages.map((st) => ({ duration: `${st.durationMs}ms`, target: st.target })),
            startRate: load.startRate,
          }
        : // Until collect stops it: the load covers faults, heal and recovery.
          { rate: load.rate, duration: `${load.durationMs ?? 3_600_000}ms` }),
      requests: load.requests ?? [{ method: 'GET', path: load.path }],
      timeout: `${load.timeoutMs}ms`,
      noConnectionReuse: load.noConnectionReuse,
      ...(load.thresholds ? { thresholds: load.thresholds } : {}),
      ...(load.script ? { script: load.script } : {}),
      driver: this.of.loadDriver ?? load.driver,
      // The load's name tags its k6 metrics, so that a user's thresholds can select it.
      tags: { load: load.name },
    });
    const driver = await createLoadDriver(spec, targets);
    this.loads.push({
      name: load.name,
      namespace,
      driver: driver.name,
      result: driver.run({
        signal: this.loadAbort.signal,
        onProgress: (p) => this.loadProgress.set(load.name, p),
      }),
    });
  }
}
