import type { CloudContext } from './cloud-context.js';
import { CloudNodeLifecycleController } from './cloud-node-lifecycle-controller.js';
import { ServiceController } from './service-controller.js';

/**
 * cloud-controller-manager: the service (load balancer) controller and the cloud node lifecycle
 * controller over one set of informers. run() returns when `signal` aborts.
 */
export class CloudControllerManager {
  private readonly controllers: { run(signal: AbortSignal): Promise<void> }[];

  constructor(private readonly ctx: CloudContext) {
    this.controllers = [new ServiceController(ctx), new CloudNodeLifecycleController(ctx)];
  }

  run(signal: AbortSignal): Promise<void> {
    return this.ctx.informers.runWith(this.controllers, signal);
  }
}
