import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { EventRecorder, InformerFactory } from '../api/client/index.js';
import { systemClock } from '../api/clock.js';
import { parseDuration } from '../api/duration.js';
import type { TimingProfile } from '../api/timing-profile.js';
import { ControllerManager, selectControllers } from '../controllers/controller-manager.js';
import {
  componentRuntime,
  runLeaderElected,
  withComponentFlags,
  type ComponentFlags,
} from './component-options.js';
import { runUntilSignal } from './run-until-signal.js';
import { sabotagesOf, warnSabotaged, withSabotageFlags } from './sabotage-flags.js';

interface ControllerManagerFlags extends ComponentFlags {
  controllers: string;
  concurrentSyncs: string;
  nodeMonitorGracePeriod?: string;
  nodeMonitorPeriod?: string;
  rootCaFile?: string;
}

/** `orchestrator controller-manager`: kube-controller-manager's control loops, leader-elected. */
export function controllerManagerCommand(): Command {
  return withSabotageFlags(withComponentFlags(new Command('controller-manager')), 'controller-manager')
    .description(
      'run the control loops (replicaset, deployment, node lifecycle, endpoints, namespace, garbage collector, resource quota, pod gc)',
    )
    .option(
      '--controllers <list>',
      "controllers to run: '*' for all, 'name' to enable, '-name' to disable",
      '*',
    )
    .option('--concurrent-syncs <n>', 'workers per controller', '5')
    .option(
      '--node-monitor-grace-period <duration>',
      'a node whose Lease was not renewed for this long goes Unknown (default: by profile)',
    )
    .option('--node-monitor-period <duration>', 'how often node health is checked (default: by profile)')
    .option(
      '--root-ca-file <file>',
      'the cluster CA published to every namespace as ConfigMap kube-root-ca.crt (default: --certificate-authority)',
    )
    .action(async (flags: ControllerManagerFlags) => {
      const names = selectControllers(flags.controllers);
      const workers = Number(flags.concurrentSyncs);
      if (!Number.isInteger(workers) || workers < 1)
        throw new Error(`--concurrent-syncs: "${flags.concurrentSyncs}" is not a positive whole number`);
      const rt = await componentRuntime('controller-manager', flags);
      const sabotages = sabotagesOf(flags, 'controller-manager');
      warnSabotaged(sabotages, rt.log);
      // Aborted only at shutdown: what a leader that ignores its lost Lease goes by (a sabotage).
      const shutdown = new AbortController();
      const caFile = flags.rootCaFile ?? flags.certificateAuthority;
      const rootCaPem = caFile ? await readFile(caFile, 'utf8') : undefined;
      const timing = withNodeMonitorFlags(rt.timing, flags);
      rt.log.info(
        {
          controllers: names,
          nodeMonitorGracePeriodMs: timing.nodeMonitorGracePeriodMs,
          nodeMonitorPeriodMs: timing.nodeMonitorPeriodMs,
        },
        'controllers selected',
      );
      const stop = runLeaderElected(
        rt,
        'kube-controller-manager',
        flags.leaderElect === 'true',
        async (signal) => {
          // A fresh set of informers per leadership term: nothing cached survives a lost lease.
          const ctx = {
            client: rt.client,
            informers: new InformerFactory(rt.client, { resyncMs: rt.timing.resyncMs }),
            recorder: new EventRecorder(
              rt.client,
              { component: 'controller-manager', host: rt.identity },
              systemClock,
            ),
            clock: systemClock,
            timing,
            log: rt.log,
            workers,
            sabotages,
            rootCaPem,
          };
          // SABOTAGE act-after-losing-lease: the controllers outlive the leadership term.
          const ignoreLostLease = sabotages.has('act-after-losing-lease');
          await new ControllerManager(ctx, names).run(ignoreLostLease ? shutdown.signal : signal);
        },
      );
      runUntilSignal(
        async () => {
          shutdown.abort();
          await stop();
          await rt.client.close();
        },
        (m) => rt.log.info(m),
      );
    });
}

/** The profile with the node monitor's intervals the flags override. */
function withNodeMonitorFlags(profile: TimingProfile, flags: ControllerManagerFlags): TimingProfile {
  return {
    ...profile,
    nodeMonitorGracePeriodMs: flags.nodeMonitorGracePeriod
      ? parseDuration(flags.nodeMonitorGracePeriod)
      : profile.nodeMonitorGracePeriodMs,
    nodeMonitorPeriodMs: flags.nodeMonitorPeriod
      ? parseDuration(flags.nodeMonitorPeriod)
      : profile.nodeMonitorPeriodMs,
  };
}
