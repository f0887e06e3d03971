import type { Logger } from 'pino';
import type { Clock } from '../api/clock.js';
import {
  ReconcileLoop,
  type ApiClient,
  type InformerFactory,
  type EventRecorder,
} from '../api/client/index.js';
import type { TimingProfile } from '../api/timing-profile.js';
import type { Sabotages } from '../api/sabotage.js';

/** What every controller is given by the controller-manager. */
export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  timing: TimingProfile;
  log: Logger;
  /** Workers per controller (--concurrent-*-syncs). */
  workers: number;
  /** Known bugs turned on (`--sabotage-*`, orchestrator/api/sabotage.ts); none when absent. */
  sabotages?: Sabotages;
  /** The cluster CA's certificate (--root-ca-file), published in every namespace; absent: not published. */
  rootCaPem?: string;
}

/**
 * A control loop of the controller-manager. The constructor registers informer handlers; run()
 * starts reconciling once the informers have synced and returns when `signal` aborts.
 */
export interface Controller {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** The reconcile loop every controller runs: its workers, and reconcile failures logged as warnings. */
export function reconcileLoop(
  ctx: ControllerContext,
  name: string,
  reconcile: (key: string) => Promise<void>,
): ReconcileLoop {
  return new ReconcileLoop({
    name,
    workers: ctx.workers,
    reconcile,
    onError: (key, e) =>
      ctx.log.warn({ controller: name, key, err: (e as Error).message }, 'reconcile failed'),
  });
}
