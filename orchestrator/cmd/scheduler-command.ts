import { Command } from 'commander';
import { EventRecorder, InformerFactory } from '../api/client/index.js';
import { systemClock } from '../api/clock.js';
import { Scheduler } from '../scheduler/scheduler.js';
import {
  componentRuntime,
  runLeaderElected,
  withComponentFlags,
  type ComponentFlags,
} from './component-options.js';
import { runUntilSignal } from './run-until-signal.js';
import { sabotagesOf, warnSabotaged, withSabotageFlags } from './sabotage-flags.js';

interface SchedulerFlags extends ComponentFlags {
  schedulerName: string;
  bindConcurrency: string;
}

/** `orchestrator scheduler`: kube-scheduler's filter → score → bind, leader-elected. */
export function schedulerCommand(): Command {
  return withSabotageFlags(withComponentFlags(new Command('scheduler')), 'scheduler')
    .description('assign unscheduled pods to nodes')
    .option('--scheduler-name <name>', 'pods with this spec.schedulerName are scheduled', 'default-scheduler')
    .option('--bind-concurrency <n>', 'bindings in flight at once', '32')
    .action(async (flags: SchedulerFlags) => {
      const bindConcurrency = Number(flags.bindConcurrency);
      if (!Number.isInteger(bindConcurrency) || bindConcurrency < 1)
        throw new Error(`--bind-concurrency: "${flags.bindConcurrency}" is not a positive whole number`);
      const rt = await componentRuntime('scheduler', flags);
      const sabotages = sabotagesOf(flags, 'scheduler');
      warnSabotaged(sabotages, rt.log);
      const stop = runLeaderElected(rt, 'kube-scheduler', flags.leaderElect === 'true', async (signal) => {
        const informers = new InformerFactory(rt.client, { resyncMs: rt.timing.resyncMs });
        const recorder = new EventRecorder(
          rt.client,
          { component: 'default-scheduler', host: rt.identity },
          systemClock,
        );
        try {
          await new Scheduler({
            client: rt.client,
            informers,
            recorder,
            clock: systemClock,
            log: rt.log,
            schedulerName: flags.schedulerName,
            bindConcurrency,
            sabotages,
          }).run(signal);
        } finally {
          await informers.stop();
        }
      });
      runUntilSignal(
        async () => {
          await stop();
          await rt.client.close();
        },
        (m) => rt.log.info(m),
      );
    });
}
