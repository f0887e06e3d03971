import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sabotages } from '../api/sabotage.js';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { EventRecorder, Informer, byNamespace, type ApiClient } from '../api/client/index.js';
import { imageRepository } from '../api/image-reference.js';
import { IMAGE_REPOSITORY, findLoadedImage, type LoadedImage } from '../api/loaded-image.js';
import { findResource } from '../api/resources.js';
import type { TimingProfile } from '../api/timing-profile.js';
import type { Pod, Service, Taint } from '../api/types.js';
import { KubeletMetrics, KubeletServer, type KubeletViewSource } from './kubelet-server.js';
import { CONFINE_TOOLS } from '../api/pod-confinement.js';
import { NodeStatusReporter } from './node-status.js';
import { ConfigSources } from './config-sources.js';
import type { NodeFacts } from './downward-api.js';
import { PodSandboxes, type PodConfinementOptions } from './pod-sandbox.js';
import { PodVolumes } from './pod-volumes.js';
import { PodWorker, envName, type ImageResolution } from './pod-worker.js';
import { PortAllocator } from './port-allocator.js';
import { ProcessRuntime } from './process-runtime.js';
import { ResourceUsageSampler } from './resource-usage-sampler.js';
import { buildStatsSummary } from './stats-summary-builder.js';

const PODS = findResource('', 'v1', 'pods')!;
const SERVICES = findResource('', 'v1', 'services')!;

/** Where the built programs live: beside this module in dist/, or dist/ when run from source. */
function builtPath(relative: string): string {
  const base = import.meta.url.includes('/dist/') ? '../' : '../../dist/orchestrator/';
  return fileURLToPath(new URL(base + relative, import.meta.url));
}

/** The default workloads dir: dist/orchestrator/workloads of this build. */
export const DEFAULT_WORKLOADS_DIR = builtPath('workloads');

/** A kubelet's connection, node identity, directories and timings (flags of `orchestrator kubelet`). */
export interface KubeletOptions {
  /** Known bugs turned on (`--sabotage-*`, orchestrator/api/sabotage.ts); none when absent. */
  sabotages?: Sabotages;
  client: ApiClient;
  log: Logger;
  nodeName: string;
  nodeIp: string;
  /** Port of the read-only server; 0 picks a free one. */
  port: number;
  rootDir: string;
  capacity: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  timing: TimingProfile;
  /** `crucible/<name>[:tag]` runs `<workloadsDir>/<name>.js`. */
  workloadsDir: string;
  /** The user's own programs, by image (`--image`): each runs in its folder. */
  images?: readonly LoadedImage[];
  /** Restart back-off: the first restart is immediate, then base doubling up to max. */
  backoff: { baseMs: number; maxMs: number };
  /** How long a stop on shutdown waits before SIGKILL. Default 5 s. */
  shutdownGraceMs?: number;
  /**
   * Confine pods: each its own user, working directory and service account token (needs root and
   * util-linux's unshare, mount and setpriv). Absent: pods run as the kubelet's own user.
   */
  confinement?: PodConfinementOptions;
  /** How often the files of secret, configMap, downwardAPI and projected volumes follow their sources. Default 5 s. */
  volumeRefreshMs?: number;
}

const DEFAULT_VOLUME_REFRESH_MS = 5000;

/**
 * The node agent. Registers its Node and keeps its Lease, runs the pods bound to it (informer
 * on spec.nodeName) through the process runtime, one PodWorker each, and serves a read-only view.
 *
 * Process lifetime: workloads live and die with the kubelet process. A SIGKILLed kubelet loses
 * its pods (the container shims kill their groups when its end of their pipe closes); a stopped
 * kubelet (`stop`) stops them first. A restarted kubelet therefore adopts nothing: it kills any
 * leftovers recorded in its root dir and starts the pods the API still binds to it afresh,
 * counting a restart for containers that were running. While the apiserver is unreachable
 * nothing is restarted or stopped because of it; status and lease writes are retried.
 */
export class Kubelet {
  private readonly runtime: ProcessRuntime;
  private readonly ports: PortAllocator;
  private readonly workers = new Map<string, PodWorker>();
  private readonly metrics: KubeletMetrics;
  private readonly server: KubeletServer;
  private readonly usage: ResourceUsageSampler;
  private readonly startedAt = new Date();
  private readonly recorder: EventRecorder;
  private readonly sandboxes?: PodSandboxes;
  private readonly sources: ConfigSources;
  private readonly volumes: PodVolumes;
  private readonly node: NodeFacts;
  private pods?: Informer<Pod>;
  private services?: Informer<Service>;
  private nodeStatus?: NodeStatusReporter;
  private stopping = false;

  constructor(private readonly options: KubeletOptions) {
    mkdirSync(options.rootDir, { recursive: true });
    if (options.confinement) {
      if (process.getuid?.() !== 0)
        throw new Error('confining pods (--pod-uid-range) needs the kubelet to run as root');
      const missing = Object.values(CONFINE_TOOLS).filter((tool) => !existsSync(tool));
      if (missing.length) throw new Error(`confining pods needs ${missing.join(', ')} (util-linux)`);
      // Pod logs and container state: the node's own, never a pod's to read.
      chmodSync(options.rootDir, 0o700);
      this.sandboxes = new PodSandboxes(options.confinement, options.client, options.log);
    }
    this.runtime = new ProcessRuntime({
      rootDir: options.rootDir,
    });
    this.node = {
      nodeName: options.nodeName,
      nodeIp: options.nodeIp,
      allocatable: { cpu: options.capacity.cpu, memory: options.capacity.memory },
    };
    this.sources = new ConfigSources(options.client);
    this.volumes = new PodVolumes(this.sources, options.client, this.node);
    this.ports = new PortAllocator(options.nodeIp);
    this.metrics = new KubeletMetrics(() => this.runningPods());
    this.usage = new ResourceUsageSampler({
      containers: () => this.runtime.runningGroups(),
      resolutionMs: options.timing.resourceMetricsResolutionMs,
    });
    this.server = new KubeletServer(
      {
        pods: () => this.runningPods(),
        containerLogs: (ns, pod, container, tail) => this.containerLogs(ns, pod, container, tail),
        statsSummary: () => this.statsSummary(),
      },
      this.metrics,
    );
    this.recorder = new EventRecorder(options.client, { component: 'kubelet', host: options.nodeName });
    this.runtime.onExit((info) => this.workers.get(info.podUid)?.containerExited(info));
  }

  /** Starts everything; resolves with the read-only server's port once it listens. */
  async start(): Promise<number> {
    const { client, log, nodeName, timing } = this.options;
    const leftovers = this.runtime.reapLeftovers();
    if (leftovers.length)
      log.info(
        { containers: leftovers.map((s) => `${s.namespace}/${s.podName}/${s.containerName}`) },
        'killed containers left by an earlier kubelet',
      );
    await this.sandboxes?.init();
    const port = await this.server.start(this.options.nodeIp, this.options.port);
    this.usage.start();
    this.nodeStatus = new NodeStatusReporter({
      client,
      nodeName,
      nodeIp: this.options.nodeIp,
      kubeletPort: port,
      capacity: this.options.capacity,
      labels: this.options.labels,
      taints: this.options.taints,
      leaseDurationSeconds: timing.nodeLeaseDurationSeconds,
      leaseRenewIntervalMs: timing.nodeLeaseRenewIntervalMs,
      statusUpdateFrequencyMs: timing.nodeStatusUpdateFrequencyMs,
      log,
      onLeaseRenewal: (ok) => {
        this.metrics.leaseRenewals.inc({ result: ok ? 'success' : 'failure' });
        this.restartPodsIfSabotaged(ok);
      },
    });
    this.nodeStatus.start();
    const onError = (e: unknown, source: string) =>
      log.warn({ err: (e as Error).message, source }, 'informer error; retrying');
    this.services = new Informer<Service>({
      client,
      resource: SERVICES,
      indexers: { namespace: byNamespace },
      onError,
    });
    this.pods = new Informer<Pod>({
      client,
      resource: PODS,
      fieldSelector: `spec.nodeName=${nodeName}`,
      onError,
    });
    this.pods.addHandlers({
      add: (pod) => this.podSeen(pod),
      update: (old, pod) => {
        if (old.metadata.uid !== pod.metadata.uid) this.workers.get(old.metadata.uid!)?.remove();
        this.podSeen(pod);
      },
      delete: (pod) => this.workers.get(pod.metadata.uid!)?.remove(),
    });
    this.services.start();
    this.pods.start();
    log.info({ node: nodeName, port, nodeIp: this.options.nodeIp }, 'kubelet started');
    return port;
  }

  /** Stops watching and stops every container (SIGTERM, SIGKILL after the shutdown grace). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.nodeStatus?.stop();
    this.usage.stop();
    await Promise.all([this.pods?.stop(), this.services?.stop()]);
    const grace = this.options.shutdownGraceMs ?? 5000;
    await Promise.all([...this.workers.values()].map((w) => w.shutdown(grace)));
    await this.runtime.stopAll(0);
    this.sandboxes?.stop();
    await this.server.stop();
  }

  /** Whether the sabotage below has struck during the current apiserver outage. */
  private restartedInOutage = false;

  /**
   * SABOTAGE restart-pods-when-apiserver-unreachable: the first failed Lease renewal of an outage
   * kills every container, which the pod workers then restart.
   */
  private restartPodsIfSabotaged(renewed: boolean): void {
    if (!this.options.sabotages?.has('restart-pods-when-apiserver-unreachable')) return;
    if (renewed || this.restartedInOutage) {
      this.restartedInOutage = !renewed;
      return;
    }
    this.restartedInOutage = true;
    this.options.log.warn('SABOTAGE: the apiserver is unreachable; restarting every pod');
    for (const c of this.runtime.list()) void this.runtime.stop(c.id, 0);
  }

  /** Every pod this kubelet runs, each with the status its worker sees: what `/pods` serves. */
  runningPods(): Pod[] {
    return [...this.workers.values()].map((w) => w.view());
  }

  /**
   * `/stats/summary`: the pods this kubelet runs with their containers' latest sampled usage. The
   * node's usage is its containers' together; the kubelet's own process is left out, as several
   * kubelets may share one machine and even one process.
   */
  private statsSummary(): ReturnType<KubeletViewSource['statsSummary']> {
    const node = this.usage.nodeUsage();
    const summary = buildStatsSummary({
      nodeName: this.options.nodeName,
      startedAt: this.startedAt,
      pods: this.runningPods(),
      containers: this.usage.containers(),
      node,
    });
    return { summary, ...(node?.windowMs !== undefined ? { windowMs: node.windowMs } : {}) };
  }

  private podSeen(pod: Pod): void {
    if (this.stopping) return;
    const worker = this.workers.get(pod.metadata.uid!);
    if (worker) {
      worker.update(pod);
      return;
    }
    const created = new PodWorker(
      {
        runtime: this.runtime,
        ports: this.ports,
        client: this.options.client,
        recorder: this.recorder,
        log: this.options.log,
        nodeName: this.options.nodeName,
        nodeIp: this.options.nodeIp,
        rootDir: this.options.rootDir,
        backoff: this.options.backoff,
        statusRetryMs: Math.max(200, Math.min(2000, this.options.timing.nodeStatusUpdateFrequencyMs)),
        resolveImage: (image) => this.resolveImage(image),
        serviceEnv: (ns) => this.serviceEnv(ns),
        ...(this.sandboxes ? { sandboxes: this.sandboxes } : {}),
        sources: this.sources,
        volumes: this.volumes,
        node: this.node,
        volumeRefreshMs: this.options.volumeRefreshMs ?? DEFAULT_VOLUME_REFRESH_MS,
        metrics: this.metrics,
        onDone: (uid) => {
          if (this.workers.get(uid) === created) this.workers.delete(uid);
          this.volumes.release(uid);
          if (!this.sandboxes) {
            const podDir = join(
              this.options.rootDir,
              'pods',
              `${pod.metadata.namespace}_${pod.metadata.name}_${uid}`,
            );
            void Promise.all(
              ['volumes', 'work'].map((d) => rm(join(podDir, d), { recursive: true, force: true })),
            ).catch(() => undefined);
          }
          void this.sandboxes
            ?.release(uid)
            .catch((e: Error) => this.options.log.warn({ err: e.message }, 'pod sandbox clean-up failed'));
        },
      },
      pod,
    );
    this.workers.set(pod.metadata.uid!, created);
    created.update(pod);
  }

  private async containerLogs(
    namespace: string,
    pod: string,
    container: string,
    tailLines?: number,
  ): Promise<string | undefined> {
    const worker = [...this.workers.values()].find((w) => w.namespace === namespace && w.name === pod);
    const path = worker?.logPath(container);
    if (!path) return undefined;
    return this.runtime.logs(path, tailLines);
  }

  /**
   * A loaded image (`--image`) → its command in its folder; `crucible/<name>[:tag]` →
   * `node <workloadsDir>/<name>.js`; or why not.
   */
  resolveImage(image: string | undefined): ImageResolution {
    const repo = imageRepository(image ?? '');
    if (!repo || !IMAGE_REPOSITORY.test(repo)) {
      return {
        reason: 'InvalidImageName',
        message: `Failed to apply default image tag "${image ?? ''}": couldn't parse image name: invalid reference format`,
      };
    }
    const loaded = findLoadedImage(this.options.images ?? [], image!);
    if (loaded) {
      if (!existsSync(loaded.dir))
        return {
          reason: 'ErrImagePull',
          message: `image "${image}" is loaded from ${loaded.dir}, which is not on this node`,
        };
      const [command, ...args] = loaded.command;
      return {
        entrypoint: [command === 'node' ? process.execPath : command!, ...args],
        workingDir: loaded.dir,
        imageId: `process://${loaded.dir}`,
      };
    }
    const name = repo.startsWith('crucible/') ? repo.slice('crucible/'.length) : '';
    const program = name && !name.includes('/') ? join(this.options.workloadsDir, `${name}.js`) : '';
    if (!program || !existsSync(program)) {
      const loadedNames = (this.options.images ?? []).map((i) => i.image);
      return {
        reason: 'ErrImagePull',
        message: `image "${image}" not found: the process runtime runs only crucible/<program> images shipped in ${this.options.workloadsDir}${loadedNames.length ? ` and the images loaded onto the node (${loadedNames.join(', ')})` : " and images loaded onto the node (a cluster spec's images)"}`,
      };
    }
    return { entrypoint: [process.execPath, program], imageId: `process://${program}` };
  }

  /** `<SERVICE>_SERVICE_HOST` / `_PORT` (and `_PORT_<NAME>`) of the namespace's node-port Services. */
  private serviceEnv(namespace: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const svc of this.services?.byIndex('namespace', namespace) ?? []) {
      const ports = (svc.spec.ports ?? []).filter((p) => p.nodePort);
      if (ports.length === 0) continue;
      const prefix = envName(svc.metadata.name!);
      env[`${prefix}_SERVICE_HOST`] = '127.0.0.1';
      env[`${prefix}_SERVICE_PORT`] = String(ports[0]!.nodePort);
      for (const p of ports)
        if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.nodePort);
    }
    return env;
  }
}
