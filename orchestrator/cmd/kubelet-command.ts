import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { Logger } from 'pino';
import { parseDuration } from '../api/duration.js';
import { type LoadedImage, normalizedImage, parseImageFlag } from '../api/loaded-image.js';
import { parseUidRange } from '../api/pod-confinement.js';
import type { Taint } from '../api/types.js';
import { DEFAULT_WORKLOADS_DIR, Kubelet } from '../kubelet/kubelet.js';
import type { PodConfinementOptions } from '../kubelet/pod-sandbox.js';
import { MAX_SIMULATED_NODES, SimulatedNodes } from '../kubelet/simulated-nodes.js';
import { componentRuntime, withComponentFlags, type ComponentFlags } from './component-options.js';
import { sabotagesOf, warnSabotaged, withSabotageFlags } from './sabotage-flags.js';
import { runUntilSignal } from './run-until-signal.js';

interface KubeletFlags extends ComponentFlags {
  nodeName?: string;
  simulatedNodes?: string;
  nodeNamePrefix: string;
  nodeIp: string;
  rootDir?: string;
  capacity: string;
  port: string;
  workloadsDir: string;
  restartBackoffBase?: string;
  restartBackoffMax?: string;
  nodeLabels?: string;
  registerWithTaints?: string;
  podUidRange?: string;
  networkPolicyAgent?: string;
  podsDir?: string;
  kubernetesService?: string;
  image: string[];
}

/** Restart back-off per profile: upstream's 10 s → 5 min, and a fast one for the harness. */
const BACKOFF: Record<string, { baseMs: number; maxMs: number }> = {
  kubernetes: { baseMs: 10_000, maxMs: 300_000 },
  fast: { baseMs: 200, maxMs: 5_000 },
};

/** `cpu=4,memory=8Gi,pods=110` → `{cpu: '4', memory: '8Gi', pods: '110'}`. */
export function parseCapacity(text: string): Record<string, string> {
  return parseKeyValues('--capacity', text, 'resource=quantity (e.g. cpu=4,memory=8Gi,pods=110)');
}

/** `--node-labels`: `zone=a,disk=ssd`. */
export function parseNodeLabels(text: string): Record<string, string> {
  return parseKeyValues('--node-labels', text, 'key=value (e.g. zone=a,disk=ssd)', true);
}

/** `--register-with-taints`: `key[=value]:Effect`, comma-separated, as upstream's kubelet. */
export function parseTaints(text: string): Taint[] {
  return items(text).map((item) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(item);
    if (!m)
      throw new Error(
        `--register-with-taints: "${item}" is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute`,
      );
    return { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3] as Taint['effect'] };
  });
}

function parseKeyValues(
  flag: string,
  text: string,
  shape: string,
  emptyValues = false,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const item of items(text)) {
    const eq = item.indexOf('=');
    if (eq <= 0 || (!emptyValues && eq === item.length - 1))
      throw new Error(`${flag}: "${item}" is not ${shape}`);
    values[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return values;
}

function items(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `--simulated-nodes`: how many nodes one simulated kubelet runs. */
export function parseSimulatedNodeCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_SIMULATED_NODES)
    throw new Error(`--simulated-nodes: "${text}" is not a whole number from 1 to ${MAX_SIMULATED_NODES}`);
  return n;
}

/** `--node-name-prefix`: the start of a node name (lower case letters, digits, '-', '.'), a number follows. */
export function parseNodeNamePrefix(text: string): string {
  if (!/^[a-z0-9][-a-z0-9.]{0,40}$/.test(text))
    throw new Error(
      `--node-name-prefix: "${text}" must start with a lower case letter or digit and hold only those, '-' and '.' (at most 41 characters)`,
    );
  return text;
}

/**
 * `orchestrator kubelet`: the node agent. No leader election (each node has its own kubelet;
 * the node name is its identity). Its workloads live and die with it: see Kubelet.
 *
 * With `--simulated-nodes <n>` it is instead one agent for n nodes that run nothing, as kwok's
 * controller is (SimulatedNodes): for exercising the control plane at scale on one machine.
 */
export function kubeletCommand(): Command {
  return withSabotageFlags(withComponentFlags(new Command('kubelet')), 'kubelet')
    .description(
      'run the pods bound to this node as processes, and keep the node registered; or, with --simulated-nodes, simulate many nodes that run nothing',
    )
    .option(
      '--node-name <name>',
      'name of the Node this kubelet registers and runs pods for (required unless --simulated-nodes)',
    )
    .option(
      '--simulated-nodes <n>',
      'instead of one node that runs its pods, simulate n nodes that run nothing (as kwok does): register ' +
        '<prefix>1 … <prefix>n, renew their Leases, report the pods bound to them Running; ' +
        'takes the place of --node-name; --node-ip, --root-dir, --port, --workloads-dir and the back-off flags do not apply',
    )
    .option('--node-name-prefix <prefix>', 'with --simulated-nodes: what the node names start with', 'sim-')
    .option('--node-ip <ip>', "the node's address: pods and the read-only server listen on it", '127.0.0.1')
    .option('--root-dir <dir>', 'state and pod logs (default: <tmp>/crucible-kubelet-<node-name>)')
    .option(
      '--capacity <list>',
      'node capacity, resource=quantity comma-separated',
      'cpu=4,memory=8Gi,pods=110',
    )
    .option('--node-labels <list>', 'labels the Node registers with: key=value, comma-separated')
    .option(
      '--register-with-taints <list>',
      'taints the Node registers with: key[=value]:Effect, comma-separated',
    )
    .option('--port <port>', 'port of the read-only server (0: a free port)', '10255')
    .option('--workloads-dir <dir>', 'where crucible/<name> images find <name>.js', DEFAULT_WORKLOADS_DIR)
    .option('--restart-backoff-base <duration>', 'first restart back-off (default: by profile, 10s or 200ms)')
    .option('--restart-backoff-max <duration>', 'restart back-off ceiling (default: by profile, 5m or 5s)')
    .option(
      '--pod-uid-range <first-last>',
      "confine pods: each runs as a user id of its own from this range, in a directory of its own, with its ServiceAccount's token at /var/run/secrets/kubernetes.io/serviceaccount (needs root)",
    )
    .option(
      '--pods-dir <dir>',
      "with --pod-uid-range: where each pod's working directory goes (default: <root-dir>/../<node>-pods)",
    )
    .option(
      '--image <image=dir:command>',
      'run pods of IMAGE as COMMAND (a JSON array; node is this Node.js) in the folder DIR, a user\'s own program loaded onto the node as kind load does; repeatable, e.g. --image=\'example.com/my-api:1.0=/srv/my-api:["node","server.js"]\'',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--network-policy-agent <host:port>',
      "with --pod-uid-range: the node's NetworkPolicy agent (kube-proxy's health port), told each pod's user id before the pod starts, as a network plugin sets a pod's network up",
    )
    .option(
      '--kubernetes-service <host:port>',
      "the apiserver's address as pods reach it: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT",
    )
    .action(async (flags: KubeletFlags) => {
      if (flags.simulatedNodes !== undefined && flags.nodeName !== undefined)
        throw new Error(
          '--node-name and --simulated-nodes exclude each other: a kubelet runs one or the other',
        );
      if (flags.simulatedNodes !== undefined) await runSimulatedNodes(flags, flags.simulatedNodes);
      else if (flags.nodeName !== undefined) await runKubelet(flags, flags.nodeName);
      else throw new Error("required option '--node-name <name>' not specified (or --simulated-nodes <n>)");
    });
}

async function runKubelet(flags: KubeletFlags, nodeName: string): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: "${flags.port}" is not a port number`);
  const capacity = parseCapacity(flags.capacity);
  const labels = parseNodeLabels(flags.nodeLabels ?? '');
  const taints = parseTaints(flags.registerWithTaints ?? '');
  const profileBackoff = BACKOFF[flags.profile] ?? BACKOFF.fast!;
  const backoff = {
    baseMs: flags.restartBackoffBase ? parseDuration(flags.restartBackoffBase) : profileBackoff.baseMs,
    maxMs: flags.restartBackoffMax ? parseDuration(flags.restartBackoffMax) : profileBackoff.maxMs,
  };
  const rootDir = resolve(flags.rootDir ?? join(tmpdir(), `crucible-kubelet-${nodeName}`));
  const images = parseImageFlags(flags.image);
  const confinement = await confinementFrom(flags, nodeName, rootDir);
  const rt = await componentRuntime('kubelet', { ...flags, identity: nodeName });
  logStrayRejections(rt.log);
  const sabotages = sabotagesOf(flags, 'kubelet');
  warnSabotaged(sabotages, rt.log);
  const kubelet = new Kubelet({
    client: rt.client,
    log: rt.log,
    nodeName,
    nodeIp: flags.nodeIp,
    port,
    rootDir,
    capacity,
    labels,
    taints,
    timing: rt.timing,
    workloadsDir: resolve(flags.workloadsDir),
    images,
    backoff,
    ...(confinement ? { confinement } : {}),
    sabotages,
  });
  await kubelet.start();
  runUntilSignal(
    async () => {
      await kubelet.stop();
      await rt.client.close();
    },
    (m) => rt.log.info(m),
  );
}

/** The pods' confinement from --pod-uid-range, --pods-dir and --kubernetes-service; none without a range. */
async function confinementFrom(
  flags: KubeletFlags,
  nodeName: string,
  rootDir: string,
): Promise<PodConfinementOptions | undefined> {
  const service = flags.kubernetesService === undefined ? undefined : parseHostPort(flags.kubernetesService);
  const agent = flags.networkPolicyAgent === undefined ? undefined : parseHostPort(flags.networkPolicyAgent);
  if (flags.podUidRange === undefined) {
    if (agent) throw new Error('--network-policy-agent is only used with --pod-uid-range');
    return undefined;
  }
  let uidRange;
  try {
    uidRange = parseUidRange(flags.podUidRange);
  } catch (e) {
    throw new Error(`--pod-uid-range: ${(e as Error).message}`);
  }
  if (!flags.certificateAuthority)
    throw new Error(
      "--pod-uid-range needs --certificate-authority: pods get the cluster's CA beside their token",
    );
  return {
    uidRange,
    podsDir: resolve(flags.podsDir ?? join(rootDir, '..', `${nodeName}-pods`)),
    secretsDir: join(rootDir, 'secrets'),
    caPem: await readFile(flags.certificateAuthority, 'utf8'),
    ...(service ? { kubernetesService: service } : {}),
    ...(agent ? { networkPolicyAgent: agent } : {}),
  };
}

/** Every `--image`: the loaded images, each image once; every problem reported at once. */
export function parseImageFlags(values: string[]): LoadedImage[] {
  const problems: string[] = [];
  const images: LoadedImage[] = [];
  for (const value of values) {
    try {
      const image = parseImageFlag(value);
      if (images.some((i) => normalizedImage(i.image) === normalizedImage(image.image)))
        problems.push(`--image: ${image.image} is given twice`);
      else images.push(image);
    } catch (e) {
      problems.push(`--image: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return images;
}

/** `--kubernetes-service`: `host:port`. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw new Error(`--kubernetes-service: "${text}" is not host:port`);
  return { host: m[1]!, port };
}

async function runSimulatedNodes(flags: KubeletFlags, countText: string): Promise<void> {
  const count = parseSimulatedNodeCount(countText);
  const prefix = parseNodeNamePrefix(flags.nodeNamePrefix);
  const capacity = parseCapacity(flags.capacity);
  const labels = parseNodeLabels(flags.nodeLabels ?? '');
  const taints = parseTaints(flags.registerWithTaints ?? '');
  const rt = await componentRuntime('kubelet', { ...flags, identity: `${prefix}simulator` });
  logStrayRejections(rt.log);
  const nodes = new SimulatedNodes({
    client: rt.client,
    log: rt.log,
    count,
    prefix,
    capacity,
    labels,
    taints,
    timing: rt.timing,
  });
  nodes.start();
  rt.log.info(
    {
      nodes: count,
      first: nodes.names[0],
      last: nodes.names[count - 1],
      leaseRenewIntervalMs: rt.timing.nodeLeaseRenewIntervalMs,
    },
    'simulated kubelet started',
  );
  runUntilSignal(
    async () => {
      await nodes.stop();
      await rt.client.close();
    },
    (m) => rt.log.info(m),
  );
}

/** A node agent outlives its bugs: a stray rejection is logged, never fatal to the node's pods. */
function logStrayRejections(log: Logger): void {
  process.on('unhandledRejection', (e: unknown) =>
    log.error({ err: e instanceof Error ? e.message : String(e) }, 'unhandled rejection'),
  );
}
