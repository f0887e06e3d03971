import { z } from 'zod';
import { SIMULATED_NODE_TAINT } from '../../orchestrator/api/simulated-nodes.js';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { configFileDir, decodeYaml } from '../support/decode-yaml.js';
import { imageRepository } from '../../orchestrator/api/image-reference.js';
import { normalizedImage } from '../../orchestrator/api/loaded-image.js';
import {
  DEFAULT_NODE_PORT_RANGE as NODE_PORT_LIMITS,
  formatPortRange,
  inPortRange,
  parsePortRange,
  type PortRange,
} from '../../orchestrator/api/port-range.js';

export const CLUSTER_API_VERSION = 'crucible.dev/v1alpha1';

/**
 * The node ports of a cluster unless its spec says otherwise: 20 ports, room for the Services of
 * any scenario in the library (which fix 30080–30082) and of a user's own, at a small cost. The
 * docker provider publishes every port of the range on every worker, and Docker runs one
 * docker-proxy process per published port and worker. Measured with 3 workers on 2 busy cores
 * (memory as proportional set size): 5 ports → 21 proxies, 16 MiB, containers started in
 * 6–14 s; 20 → 66 proxies, 48 MiB, 10–14 s; 100 → 306 proxies, 217 MiB, 24–36 s, and teardown
 * 25–30 s instead of 8–14 s. The whole of 30000–32767 took a single container 324 s to start,
 * 642 s to remove and 1.9 GiB (2768 proxies): three workers would need some 6 GiB and many minutes.
 */
export const DEFAULT_NODE_PORT_RANGE = '30080-30099';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

const taint = z
  .object({
    key: z.string().min(1),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  })
  .strict();

const capacity = z
  .object({
    cpu: z.string().regex(QUANTITY, 'must be a quantity such as 4 or 500m').default('4'),
    memory: z.string().regex(QUANTITY, 'must be a quantity such as 8Gi').default('8Gi'),
    pods: z
      .string()
      .regex(/^[0-9]+$/, 'must be a whole number')
      .default('110'),
  })
  .strict()
  .default({ cpu: '4', memory: '8Gi', pods: '110' });

const workerGroup = z
  .object({
    count: z.number().int().min(1).max(100).default(1),
    capacity,
    labels: z.record(z.string(), z.string()).default({}),
    taints: z.array(taint).default([]),
  })
  .strict();

/**
 * Nodes without processes (`orchestrator kubelet --simulated-nodes`), all run by one agent, for
 * exercising the control plane at scale: `<prefix>1` … `<prefix><count>`, each labelled
 * `crucible.dev/simulated: "true"` and, by default, tainted `crucible.dev/simulated=true:NoSchedule`
 * so that only pods that tolerate it go there (a pod there runs nothing, and answers no request).
 */
const simulatedNodes = z
  .object({
    count: z.number().int().min(0).max(5000).meta({
      description:
        'how many; each renews its Lease once per renew interval of the timing: fast (every 250 ms, Unknown after 1 s) leaves a busy apiserver no slack, so use timing kubernetes (10 s, 50 s) beyond a few dozen',
    }),
    prefix: z
      .string()
      .regex(/^[a-z0-9][-a-z0-9.]{0,40}$/, 'must be lower case letters, digits, "-" and "." (e.g. sim-)')
      .refine((p) => p !== 'worker-', 'must not be "worker-": the workers are named so')
      .default('sim-'),
    capacity,
    labels: z.record(z.string(), z.string()).default({}),
    taints: z.array(taint).default(() => [{ ...SIMULATED_NODE_TAINT }]),
  })
  .strict();

/**
 * A user's own program that pods of an image run, loaded onto every worker as `kind load
 * docker-image` does: a folder (a Node.js app, say) or one file (a static binary), and the
 * command that runs it from inside that folder (for a file, a folder that holds it). `path` is
 * relative to the file the spec is written in; once decoded it is absolute, and `hostDir` is the
 * folder the command runs in on this machine (the path, or the folder that holds the file).
 */
const loadedImage = z
  .object({
    name: z
      .string()
      .refine((name) => normalizedImage(name) !== undefined, {
        message: 'must be an image reference such as example.com/my-api:1.0 (lower case; no digest)',
      })
      .refine((name) => !imageRepository(name).startsWith('crucible/'), {
        message: 'crucible/ images are crucible’s own programs: give yours another name',
      })
      .meta({ description: 'the image pods name, e.g. example.com/my-api:1.0 (no tag: latest)' }),
    path: z.string().min(1).meta({
      description:
        "a folder (e.g. a Node.js app) or a file (e.g. a static binary), relative to this file; copied into the docker provider's node image, run in place by the process provider",
    }),
    command: z
      .array(z.string().min(1))
      .min(1, 'must say what to run, e.g. [node, server.js] or [./my-api]')
      .meta({
        description:
          "what runs, from inside the folder (for a file, a folder that holds it): e.g. [node, server.js] (node is crucible's own Node.js) or [./my-api]; a pod's args follow it, its command replaces it",
      }),
  })
  .strict()
  .superRefine((image, ctx) => {
    for (const problem of loadedImageProblems(image, configFileDir()))
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .transform((image) => {
    const path = resolve(configFileDir(), image.path);
    // Unreadable here only when refinements already failed, and then the value is never used.
    const isFile = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
    return { ...image, path, hostDir: isFile ? dirname(path) : path };
  });

/**
 * A cluster spec file, as kind's config: versioned, decoded strictly (unknown fields are
 * errors), defaulted. Flags of `crucible up` override what they name.
 */
export const clusterSpecSchema = z
  .object({
    apiVersion: z.literal(CLUSTER_API_VERSION, { message: `must be "${CLUSTER_API_VERSION}"` }),
    kind: z.literal('Cluster', { message: 'must be "Cluster"' }),
    name: z
      .string()
      .regex(DNS_LABEL, 'must be a DNS label: lower case letters, digits and "-"')
      .max(40)
      .default('crucible'),
    etcd: z
      .object({ members: z.union([z.literal(1), z.literal(3)], { message: 'must be 1 or 3' }).default(1) })
      .strict()
      .default({ members: 1 }),
    controlPlane: z
      .object({
        apiservers: z.number().int().min(1).max(5).default(1),
        schedulers: z.number().int().min(1).max(5).default(1),
        controllerManagers: z.number().int().min(1).max(5).default(1),
        cloudControllerManager: z.boolean().default(false).meta({
          description:
            'run the cloud-controller-manager: Services of type LoadBalancer get a load balancer (status.loadBalancer.ingress, reachable from the host), and a worker whose container or process is gone loses its Node at once',
        }),
      })
      .strict()
      .default({ apiservers: 1, schedulers: 1, controllerManagers: 1, cloudControllerManager: false }),
    workers: z
      .array(workerGroup)
      .min(1)
      .default([{ count: 3, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, labels: {}, taints: [] }]),
    simulatedNodes: simulatedNodes.optional(),
    timing: z.enum(['fast', 'kubernetes']).default('fast'),
    /**
     * Extra flags per component, appended to what crucible passes (as kind's kubeadm patches):
     * e.g. `controller-manager: ['--controllers=*,-nodelifecycle']` to run a deliberately
     * broken cluster.
     */
    extraArgs: z
      .object({
        apiserver: z.array(z.string()).default([]),
        scheduler: z.array(z.string()).default([]),
        'controller-manager': z.array(z.string()).default([]),
        kubelet: z.array(z.string()).default([]),
        'kube-proxy': z.array(z.string()).default([]),
        'cloud-controller-manager': z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Known bugs to build the cluster with, so that a test can show a check catches them. Never in
     * a cluster meant to be trusted: each one breaks what the checks claim.
     */
    sabotage: z
      .array(
        z.enum(['pods-see-cluster-credentials']).meta({
          description:
            "pods-see-cluster-credentials: the kubelets run pods as root, unconfined, on nodes that hold the whole cluster's folder (every token, the admin kubeconfig, the apiserver's key), as crucible did before pods were confined",
        }),
      )
      .default([]),
    /** Extra users, each with its own bearer token and no rights until RBAC grants some (tenants). */
    users: z.array(z.string().regex(DNS_LABEL, 'must be a DNS label')).default([]),
    nodePortRange: z
      .string()
      .superRefine((text, ctx) => {
        const problem = nodePortRangeProblem(text);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default(DEFAULT_NODE_PORT_RANGE)
      .meta({
        description:
          "the ports Services get their node ports from (the apiservers' --service-node-port-range), MIN-MAX within 30000-32767; the docker provider publishes each of them on every worker's host address (one docker-proxy process per port and worker), so every node port the apiserver hands out is reachable from the host",
      }),
    images: z
      .array(loadedImage)
      .superRefine((images, ctx) => {
        const seen = new Set<string>();
        images.forEach((image, i) => {
          const key = normalizedImage(image.name);
          if (key !== undefined && seen.has(key))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${image.name} is loaded twice` });
          if (key !== undefined) seen.add(key);
        });
      })
      .default([])
      .meta({
        description:
          "the user's own programs, by image, loaded onto every worker as kind load does: pods of the image run the command in the program's folder, as a user of their own (so the files must be readable by other users on the process provider; docker copies them readable)",
      }),
    /** Replaced by nodePortRange; named here so that an old spec gets a way forward, not "unknown field". */
    nodePorts: z
      .unknown()
      .refine(() => false, {
        message: `replaced by nodePortRange (e.g. nodePortRange: ${DEFAULT_NODE_PORT_RANGE}): the apiservers now hand out node ports only from that range, and the docker provider publishes all of it`,
      })
      .optional()
      .meta({ description: 'replaced by nodePortRange', deprecated: true }),
  })
  .strict();

export type ClusterSpec = z.infer<typeof clusterSpecSchema>;

/** The node port range of a spec (already validated when the spec was decoded). */
export function nodePortRange(spec: ClusterSpec): PortRange {
  return parsePortRange(spec.nodePortRange);
}

/**
 * What is wrong with a loaded image's files, each problem at its field: the path must exist, and
 * a command that names a program by a relative path (./my-api) must name an executable file of
 * the image (for an image of one file, that file).
 */
function loadedImageProblems(
  image: { name: string; path: string; command: string[] },
  dir: string,
): { path: PropertyKey[]; message: string }[] {
  const path = resolve(dir, image.path);
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return [{ path: ['path'], message: `${path} does not exist` }];
  }
  if (!stats.isFile() && !stats.isDirectory())
    return [{ path: ['path'], message: `${path} is neither a folder nor a file` }];
  const program = image.command[0];
  if (program === undefined) return [];
  const folder = stats.isDirectory() ? path : dirname(path);
  const at = { path: ['command', 0] };
  if (!program.includes('/')) {
    // A bare name is looked for on PATH, as a shell does, never in the image's folder.
    const own = stats.isDirectory() ? existsSync(join(folder, program)) : basename(path) === program;
    return own ? [{ ...at, message: `write ./${program}: a bare name is looked for on PATH` }] : [];
  }
  if (isAbsolute(program)) return [];
  const target = resolve(folder, program);
  if (stats.isFile() && target !== path)
    return [{ ...at, message: `an image of one file runs that file: ./${basename(path)}` }];
  if (relative(folder, target).startsWith('..'))
    return [{ ...at, message: `${program} lies outside ${folder}, which is all the image holds` }];
  let mode: number;
  try {
    const s = statSync(target);
    if (!s.isFile()) return [{ ...at, message: `${target} is not a file` }];
    mode = s.mode;
  } catch {
    return [{ ...at, message: `${target} does not exist` }];
  }
  if ((mode & 0o100) === 0) return [{ ...at, message: `${target} is not executable (chmod +x ${target})` }];
  return [];
}

/** Why `text` cannot be a cluster's node port range, or undefined when it can. */
function nodePortRangeProblem(text: string): string | undefined {
  let range: PortRange;
  try {
    range = parsePortRange(text);
  } catch (e) {
    return (e as Error).message;
  }
  // Outside it node ports would meet the cluster's own ports (6443, 10250, Toxiproxy's links from
  // 20000) or the ephemeral ports the kubelets give pods (32768 up).
  if (!inPortRange(NODE_PORT_LIMITS, range.min) || !inPortRange(NODE_PORT_LIMITS, range.max))
    return `must lie within ${formatPortRange(NODE_PORT_LIMITS)}, kube-apiserver's default range (the cluster's own ports and the pods' lie outside it)`;
  return undefined;
}
export type WorkerGroup = ClusterSpec['workers'][number];
/** One of the spec's `images`, decoded. */
export type LoadedImageSpec = ClusterSpec['images'][number];

/** Reads a cluster spec file's text; every problem is reported with its line (ConfigError). */
export function parseClusterSpec(text: string, file: string): ClusterSpec {
  return decodeYaml(text, file, clusterSpecSchema);
}

/** The spec of a cluster given by flags alone. */
export function defaultClusterSpec(
  overrides: { name?: string; workers?: number; timing?: 'fast' | 'kubernetes' } = {},
): ClusterSpec {
  return parseClusterSpec(
    JSON.stringify({
      apiVersion: CLUSTER_API_VERSION,
      kind: 'Cluster',
      ...(overrides.name ? { name: overrides.name } : {}),
      ...(overrides.workers ? { workers: [{ count: overrides.workers }] } : {}),
      ...(overrides.timing ? { timing: overrides.timing } : {}),
    }),
    '<flags>',
  );
}

/** The names of the simulated nodes of a spec, in order: sim-1, sim-2, … (none without `simulatedNodes`). */
export function simulatedNodeNames(spec: ClusterSpec): string[] {
  const simulated = spec.simulatedNodes;
  return Array.from({ length: simulated?.count ?? 0 }, (_, i) => `${simulated!.prefix}${i + 1}`);
}

/** The names of the workers of a spec, in order: worker-1, worker-2, … */
export function workerNames(spec: ClusterSpec): string[] {
  const total = spec.workers.reduce((n, g) => n + g.count, 0);
  return Array.from({ length: total }, (_, i) => `worker-${i + 1}`);
}
