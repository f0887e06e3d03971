import { z } from 'zod';
import type { ClusterRecord } from '../cluster/index.js';
import type { FaultContext, FaultPlugin } from './fault.js';
import { leaderOf, noLeaderProblem } from './leader-of.js';
import { nodesOfRole, selectTargets } from './target-selector.js';

const COMPONENTS = [
  'apiserver',
  'etcd',
  'scheduler',
  'controller-manager',
  'cloud-controller-manager',
  'kubelet',
  'kube-proxy',
] as const;
type Component = (typeof COMPONENTS)[number];
type Options = { component: Component };

/** kubelet and kube-proxy are members inside a worker; the control plane's components are nodes of their own. */
const isNodeAgent = (c: Component) => c === 'kubelet' || c === 'kube-proxy';

function candidates(record: ClusterRecord, component: Component): string[] {
  return isNodeAgent(component)
    ? record.members.filter((m) => m.role === component).map((m) => m.name)
    : nodesOfRole(record, component);
}

/** `leader` and `non-leader` need a component that elects one. */
function targetProblem(target: string, { component }: Options): string | undefined {
  const problem = target === 'leader' || target === 'non-leader' ? noLeaderProblem(component) : undefined;
  return problem && `${problem}: name an instance, or random, one, minority, majority or all`;
}

async function targets(ctx: FaultContext, target: string, { component }: Options): Promise<string[]> {
  if (target === 'leader') return [await leaderOf(ctx.cluster, component)];
  if (target === 'non-leader') {
    const leader = await leaderOf(ctx.cluster, component);
    return selectTargets(
      'one',
      candidates(ctx.cluster.record, component).filter((n) => n !== leader),
      ctx.random,
      `non-leader ${component}s`,
    );
  }
  return selectTargets(target, candidates(ctx.cluster.record, component), ctx.random, `${component}s`);
}

async function kill(ctx: FaultContext, target: string, component: Component): Promise<void> {
  if (isNodeAgent(component)) await ctx.cluster.killMember(target);
  else await ctx.cluster.kill(target);
}

async function start(ctx: FaultContext, target: string, component: Component): Promise<void> {
  if (isNodeAgent(component)) await ctx.cluster.startMember(target);
  else await ctx.cluster.start(target);
}

const options = z.object({ component: z.enum(COMPONENTS).meta({ description: 'which component' }) }).strict();

const targetDescription =
  "the component's instances: apiserver-0, etcd-1, scheduler-0, …, or worker-1-kubelet, worker-2-kube-proxy, … (or random, one, minority, majority, all of them; leader or non-leader for etcd, the scheduler, the controller-manager and the cloud-controller-manager)";

/**
 * component-kill / component-stop / component-restart: one component (apiserver, an etcd member,
 * scheduler, controller-manager, cloud-controller-manager, kubelet, kube-proxy), chosen by name, at random, or as the
 * current `leader` or a `non-leader`. Heal starts it again. A kubelet or kube-proxy has no
 * container of its own, so stopping one kills it.
 */
export const componentKillFault: FaultPlugin<Options> = {
  type: 'component-kill',
  description: 'SIGKILL a component; heal starts it again',
  targetDescription,
  options,
  needs: () => ['control-plane-components'],
  targetProblem,
  targets,
  async inject(ctx, ts, { component }) {
    for (const t of ts) await kill(ctx, t, component);
  },
  async heal(ctx, ts, { component }) {
    for (const t of ts) await start(ctx, t, component);
  },
};

export const componentStopFault: FaultPlugin<Options> = {
  type: 'component-stop',
  description: 'stop a component gracefully (SIGTERM); heal starts it again',
  targetDescription,
  options,
  needs: () => ['control-plane-components'],
  targetProblem,
  targets,
  async inject(ctx, ts, { component }) {
    for (const t of ts)
      if (isNodeAgent(component)) await kill(ctx, t, component);
      else await ctx.cluster.stop(t);
  },
  heal: componentKillFault.heal,
};

export const componentRestartFault: FaultPlugin<Options> = {
  type: 'component-restart',
  description: 'stop a component and start it again at once',
  targetDescription,
  options,
  needs: () => ['control-plane-components'],
  targetProblem,
  targets,
  async inject(ctx, ts, o) {
    await componentStopFault.inject(ctx, ts, o);
    await componentKillFault.heal(ctx, ts, o);
  },
  heal: componentKillFault.heal,
};
