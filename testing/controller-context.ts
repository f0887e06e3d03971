import { pino } from 'pino';
import { ApiClient, EventRecorder, InformerFactory } from '../orchestrator/api/client/index.js';
import { systemClock } from '../orchestrator/api/clock.js';
import { TIMING_PROFILES } from '../orchestrator/api/timing-profile.js';
import type { Controller, ControllerContext } from '../orchestrator/controllers/controller.js';
import { TEST_TOKENS, type TestControlPlane } from './test-control-plane.js';

/** An admin ApiClient for `cp`. */
export function adminClient(cp: TestControlPlane): ApiClient {
  return new ApiClient({ servers: [cp.url], token: TEST_TOKENS.admin, caPem: cp.ca.certPem });
}

/**
 * Runs controllers in this process against `cp`, with their own client and informers, as the
 * controller-manager would. `stop()` ends them and closes the client.
 */
export function runControllers(
  cp: TestControlPlane,
  make: (ctx: ControllerContext) => Controller[],
  extra: Partial<ControllerContext> = {},
): { ctx: ControllerContext; stop: () => Promise<void> } {
  const client = adminClient(cp);
  const ctx: ControllerContext = {
    client,
    informers: new InformerFactory(client),
    recorder: new EventRecorder(client, { component: 'test-controller-manager' }),
    clock: systemClock,
    timing: TIMING_PROFILES.fast,
    log: pino({ level: process.env.CRUCIBLE_TEST_LOG ?? 'silent' }),
    workers: 4,
    ...extra,
  };
  const controllers = make(ctx);
  const abort = new AbortController();
  const running = ctx.informers.runWith(controllers, abort.signal);
  return {
    ctx,
    stop: async () => {
      abort.abort();
      await running;
      await client.close();
    },
  };
}
