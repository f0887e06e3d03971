import type { Controller, ControllerContext } from './controller.js';
import { DaemonSetController } from './daemonset-controller.js';
import { CronJobController } from './cronjob-controller.js';
import { JobController } from './job-controller.js';
import { DeploymentController } from './deployment-controller.js';
import { DisruptionController } from './disruption-controller.js';
import { EndpointsController } from './endpoints-controller.js';
import { GarbageCollector } from './garbage-collector.js';
import { HorizontalPodAutoscalerController } from './horizontal-pod-autoscaler-controller.js';
import { NamespaceController } from './namespace-controller.js';
import { NodeLifecycleController } from './node-lifecycle-controller.js';
import { PodGarbageCollector } from './pod-garbage-collector.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { ResourceQuotaController } from './resourcequota-controller.js';
import { RootCaCertPublisher } from './root-ca-cert-publisher.js';
import { ServiceAccountController } from './service-account-controller.js';
import { StatefulSetController } from './statefulset-controller.js';
import { TtlAfterFinishedController } from './ttl-after-finished-controller.js';

/** Every controller by its --controllers name, in start order. */
export const CONTROLLERS: Readonly<Record<string, (ctx: ControllerContext) => Controller>> = {
  replicaset: (ctx) => new ReplicaSetController(ctx),
  deployment: (ctx) => new DeploymentController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  job: (ctx) => new JobController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  'ttl-after-finished': (ctx) => new TtlAfterFinishedController(ctx),
  horizontalpodautoscaling: (ctx) => new HorizontalPodAutoscalerController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx),
  endpoints: (ctx) => new EndpointsController(ctx),
  namespace: (ctx) => new NamespaceController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  resourcequota: (ctx) => new ResourceQuotaController(ctx),
  podgc: (ctx) => new PodGarbageCollector(ctx),
  serviceaccount: (ctx) => new ServiceAccountController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  'root-ca-cert-publisher': (ctx) => new RootCaCertPublisher(ctx),
};

/**
 * Resolves a kube-controller-manager style --controllers list: `*` is every controller,
 * `-name` disables one, a bare name enables it.
 */
export function selectControllers(spec: string): string[] {
  const all = Object.keys(CONTROLLERS);
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.map((i) => i.replace(/^-/, '')).filter((i) => i !== '*' && !all.includes(i));
  if (unknown.length)
    throw new RangeError(
      `--controllers: unknown controller(s) ${unknown.join(', ')}; known: ${all.join(', ')}`,
    );
  const enabled = new Set(items.includes('*') ? all : []);
  for (const i of items) {
    if (i.startsWith('-')) enabled.delete(i.slice(1));
    else if (i !== '*') enabled.add(i);
  }
  return all.filter((c) => enabled.has(c));
}

/**
 * kube-controller-manager: the selected controllers over one set of shared informers. run()
 * returns when `signal` aborts (leadership lost or shutdown), after every controller stopped.
 */
export class ControllerManager {
  private readonly controllers: Controller[];

  constructor(
    private readonly ctx: ControllerContext,
    names: string[],
  ) {
    this.controllers = names.map((n) => CONTROLLERS[n]!(ctx));
  }

  run(signal: AbortSignal): Promise<void> {
    return this.ctx.informers.runWith(this.controllers, signal);
  }
}
