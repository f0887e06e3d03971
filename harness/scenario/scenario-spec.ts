import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../../orchestrator/api/duration.js';
import {
  CLUSTER_API_VERSION,
  type ClusterSpec,
  clusterSpecSchema,
  parseClusterSpec,
} from '../cluster/index.js';
import { AT_KEY, ConfigError, decodeYaml, type ConfigProblem } from '../support/decode-yaml.js';
import { CHECK_SHAPES, checkSpecProblems, thresholdKindWords, type CheckSpecShape } from '../checks/index.js';
import { FAULTS, faultOfType } from '../faults/index.js';
import { CHECK_TYPES, type CheckSpec } from '../history/history.js';
import { expandNemesis, nemesisFaultId } from './nemesis.js';
import { SABOTAGES, sabotageFlag, type SabotageName } from '../../orchestrator/api/sabotage.js';
import type { Scenario, ScenarioStep, ScheduledFault } from './scenario.js';

export const SCENARIO_API_VERSION = 'crucible.dev/v1alpha1';

/** The prefix of every orchestrator flag that turns on a known bug (docs/orchestrator.md, "Sabotage switches"). */
const SABOTAGE_FLAG = '--sabotage-';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Namespaces every cluster has: a run neither creates nor removes them. */
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const NAMESPACED_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The cluster's name defaults to the scenario's, and a cluster name is at most this long. */
const CLUSTER_NAME_MAX = 40;

const dnsLabel = () =>
  z.string().max(63).regex(DNS_LABEL, 'must be a DNS label: lower case letters, digits and "-"');
const namespacedName = () => z.string().regex(NAMESPACED_NAME, 'must be namespace/name, e.g. tenant-a/echo');

/** A Go-style duration (`500ms`, `2s`, `1m30s`) in the YAML, milliseconds once decoded. */
function duration(options: { positive?: boolean } = {}) {
  const ms = z.string({ error: 'must be a duration such as 500ms, 2s or 1m30s' }).transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });
  return (options.positive ? ms.refine((v) => v > 0, 'must be longer than 0') : ms).meta({
    description: 'a duration: 500ms, 2s, 1m30s, 1h',
  });
}

const FAULT_TYPES = Object.keys(FAULTS) as [string, ...string[]];
const faultType = z.enum(FAULT_TYPES, {
  error: (issue) =>
    `${issue.input === undefined ? 'required' : `unknown fault type ${JSON.stringify(issue.input)}`}; the faults: ${FAULT_TYPES.join(', ')}`,
});

const target = () =>
  z.string().min(1).default('random').meta({
    description:
      'a node, member or link name (or several, comma-separated), random, one, minority, majority, all, leader, non-leader',
  });

/** One fault of `faults.schedule`; its options are validated by the fault's own schema. */
const scheduledFaultSchema = z
  .object({
    id: dnsLabel().optional().meta({ description: 'unique; default <type>-<n>, n counting from 1 per type' }),
    type: faultType,
    target: target(),
    at: duration().meta({
      description: 'a duration (10s, 1m30s): when it starts, from the start of the faults phase',
    }),
    for: duration({ positive: true }).meta({ description: 'a duration (10s, 1m30s): how long before heal' }),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: "the fault type's own options (see the faults below)" }),
    tenant: z
      .string()
      .optional()
      .meta({ description: "a tenant the fault is about: its name goes into the fault's record and report" }),
  })
  .strict()
  .superRefine(checkFaultOptions, { when: () => true });

const nemesisSchema = z
  .object({
    types: z
      .array(faultType)
      .min(1)
      .meta({ description: 'the fault types to draw from; only types that need no options' }),
    start: duration()
      .prefault('0s')
      .meta({ description: 'a duration: when the first fault starts, from the start of the faults phase' }),
    interval: duration({ positive: true }).meta({
      description: 'a duration (15s): time between fault starts',
    }),
    duration: duration({ positive: true }).meta({ description: "a duration (5s): each fault's `for`" }),
    count: z.number().int().min(1).max(1000).meta({ description: 'how many faults' }),
    target: target(),
  })
  .strict()
  .superRefine(checkNemesisTypes, { when: () => true })
  .meta({ description: 'a seeded random nemesis: count faults, ids nemesis-1, nemesis-2, …' });

const checkSchema = z
  .object({
    name: z.string().min(1).meta({ description: "unique; the JUnit test case's name" }),
    type: z.enum(CHECK_TYPES, {
      error: (issue) =>
        `${issue.input === undefined ? 'required' : `unknown check type ${JSON.stringify(issue.input)}`}; the checks: ${CHECK_TYPES.join(', ')}`,
    }),
    window: z
      .union(
        [
          z.enum(['whole-run', 'before-faults', 'after-heal']),
          z.object({ during: z.string().min(1).meta({ description: 'a fault id' }) }).strict(),
        ],
        { error: 'must be whole-run, before-faults, after-heal or {during: <fault id>}' },
      )
      .default('whole-run')
      .meta({ description: 'the stretch of the run the check looks at (see the windows below)' }),
    // Each type takes its own keys: validated against its shape (checkThresholdsAndSelect).
    thresholds: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'limits the check is judged against; each type takes its own' }),
    select: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'what the check looks at; each type takes its own keys' }),
  })
  .strict()
  .superRefine(checkThresholdsAndSelect, { when: () => true });

const stageSchema = z
  .object({
    duration: duration({ positive: true }).meta({ description: "a duration: the stage's length" }),
    target: z.number().min(0).meta({ description: 'the rate (requests per second) the stage ramps to' }),
  })
  .strict();

const requestSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "the request's name in k6's metrics (default: METHOD path)" }),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().startsWith('/', 'must start with "/"').default('/'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional().meta({ description: 'a text, or anything else sent as JSON' }),
    expectStatus: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
      .optional()
      .meta({ description: 'the statuses that count as success (default 200-399)' }),
    weight: z.number().int().min(1).default(1).meta({ description: 'its share of the mix' }),
  })
  .strict();

/** Whether a URL's host is this machine's loopback: 127.0.0.0/8, ::1 or localhost. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A scenario's load; `referenced` checks the k6 script file exists. */
function loadSchema(referenced: () => z.ZodType<string>) {
  return z
    .object({
      name: z.string().min(1).meta({ description: 'unique; checks select a load by it' }),
      service: namespacedName().meta({ description: 'the NodePort Service it drives, as namespace/name' }),
      port: z
        .union([z.string().min(1), z.number().int().min(1).max(65535)], {
          error: 'must be a port name or number',
        })
        .optional()
        .meta({ description: "the Service port's name or number (default: its first port)" }),
      path: z
        .string()
        .startsWith('/', 'must start with "/"')
        .default('/')
        .meta({ description: 'the HTTP path requested (one request; `requests` gives a mix instead)' }),
      rate: z.number().positive().optional().meta({ description: 'requests per second (or `stages`)' }),
      duration: duration({ positive: true }).optional().meta({
        description: 'a duration: how long it runs (default: from the recorders to the end of recovery)',
      }),
      startRate: z
        .number()
        .min(0)
        .optional()
        .meta({ description: 'with stages: the rate the first one starts from (default 0)' }),
      stages: z.array(stageSchema).min(1).optional().meta({
        description:
          'a ramping load instead of `rate`: each stage ramps to its target rate over its duration, as k6 stages',
      }),
      requests: z.array(requestSchema).min(1).optional().meta({
        description: 'a mix of requests, each drawn by its weight, instead of `path`',
      }),
      timeout: duration({ positive: true })
        .prefault('2s')
        .meta({ description: "a duration: one request's deadline" }),
      noConnectionReuse: z.boolean().default(false).meta({
        description:
          "each request on a connection of its own, as k6's noConnectionReuse: a Service balances connections, not requests, so over kept-alive connections a few endpoints may get every request",
      }),
      nodes: z.array(z.string().min(1)).min(1).optional().meta({
        description:
          "the workers whose node ports the load goes through (default: the Service's load balancer when it has one, else every worker)",
      }),
      via: z.enum(['auto', 'load-balancer', 'node-port', 'url']).default('auto').meta({
        description:
          "how the load reaches the Service: its load balancer (status.loadBalancer.ingress), a node port on each worker's address, the url given, or auto: those in that order, the first that works (the run's progress says which)",
      }),
      url: z
        .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
        .refine((u) => isLoopbackUrl(u), {
          message:
            "must be on this machine's loopback (127.0.0.0/8 or localhost): crucible sends load nowhere else",
        })
        .optional()
        .meta({
          description:
            "the Service's address as its clients reach it (e.g. an ingress published on 127.0.0.1 by a kind cluster's port mapping); used with via: url, or by auto when the Service has neither a load balancer nor a node port",
        }),
      driver: z.enum(['builtin', 'k6', 'auto']).default('builtin').meta({
        description:
          'who sends the requests: builtin (crucible, in Node), k6 (the real k6: K6_BIN, PATH or a local grafana/k6 image), or auto (k6 when found); `crucible run --load-driver` overrides it',
      }),
      thresholds: z
        .record(
          z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*(\{[^{}]+\})?$/, 'must be a k6 metric name'),
          z.array(z.string().min(1)).min(1),
        )
        .optional()
        .meta({
          description:
            "k6 thresholds, e.g. {http_req_failed: ['rate<0.01']}: crossed ones fail the run's load-thresholds check (k6 driver)",
        }),
      script: referenced().optional().meta({
        description:
          'a k6 script of your own, relative to this scenario file, run instead of the rendered one; it gets the target in __ENV.TARGET and the rate in __ENV.RATE (k6 driver)',
      }),
    })
    .strict()
    .superRefine((l, ctx) => {
      if (l.stages === undefined) {
        if (l.rate === undefined && l.script === undefined)
          ctx.addIssue({ code: 'custom', path: ['rate'], message: 'required (or stages)' });
        if (l.startRate !== undefined)
          ctx.addIssue({ code: 'custom', path: ['startRate'], message: 'startRate needs stages' });
      } else {
        for (const key of ['rate', 'duration'] as const)
          if (l[key] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'give either rate (and duration) or stages',
            });
      }
      if (l.via === 'url' && l.url === undefined)
        ctx.addIssue({ code: 'custom', path: ['url'], message: 'required with via: url' });
      if (l.nodes !== undefined && (l.via === 'url' || l.via === 'load-balancer'))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes'],
          message: `node ports are not used with via: ${l.via}`,
        });
      if (l.requests !== undefined && l.path !== '/')
        ctx.addIssue({ code: 'custom', path: ['path'], message: 'give either path or requests' });
      if (l.driver === 'builtin')
        for (const key of ['script', 'thresholds'] as const)
          if (l[key] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `${key} needs the k6 driver: set driver: k6 (or auto)`,
            });
    });
}

/** A string or a list of them, a list once decoded. */
const oneOrMore = () => z.union([z.string(), z.array(z.string())]).transform((v) => [v].flat());

const outputExpectationSchema = z
  .object({
    equals: z.string().optional().meta({ description: 'the whole output, trimmed' }),
    contains: oneOrMore().optional().meta({ description: 'a text (or a list of them) the output contains' }),
    notContains: oneOrMore()
      .optional()
      .meta({ description: 'a text (or a list of them) the output does not contain' }),
    matches: z
      .string()
      .refine(isRegExp, 'must be a regular expression (JavaScript syntax)')
      .optional()
      .meta({ description: 'a regular expression (JavaScript syntax), multiline' }),
    lines: z
      .object({
        min: z.number().int().min(0).optional().meta({ description: 'at least this many' }),
        max: z.number().int().min(0).optional().meta({ description: 'at most this many' }),
        equals: z.number().int().min(0).optional().meta({ description: 'exactly this many' }),
        matching: z
          .string()
          .refine(isRegExp, 'must be a regular expression (JavaScript syntax)')
          .optional()
          .meta({ description: 'count only lines matching this regular expression' }),
        unique: z.boolean().optional().meta({ description: 'count only different lines' }),
      })
      .strict()
      .optional()
      .meta({
        description: 'how many non-empty lines (those matching `matching`; different ones when `unique`)',
      }),
  })
  .strict();

/**
 * One step: `kubectl: [args]` (the real kubectl, with the cluster's kubeconfig) or `sleep: 2s`.
 * Its expectation defaults to exit code 0.
 */
const stepSchema = z
  .object({
    id: dnsLabel().optional().meta({ description: 'unique; default step-<n>, n its place from 1' }),
    kubectl: z.array(z.string()).min(1).optional().meta({
      description:
        'kubectl arguments; ${name} is what an earlier step captured; files are relative to this scenario file',
    }),
    sleep: duration({ positive: true })
      .optional()
      .meta({ description: 'a duration: a pause instead of kubectl' }),
    as: z.string().optional().meta({ description: "a tenant: run with its token instead of admin's" }),
    stdin: z.string().optional().meta({ description: "kubectl's standard input (with `-f -`: a manifest)" }),
    expect: z
      .object({
        exitCode: z.number().int().default(0),
        stdout: outputExpectationSchema
          .optional()
          .meta({ description: 'what the standard output must show' }),
        stderr: outputExpectationSchema.optional().meta({ description: 'what the error output must show' }),
      })
      .strict()
      .prefault({})
      .meta({ description: 'what the step must show (default: exit code 0)' }),
    eventually: duration({ positive: true })
      .optional()
      .meta({ description: 'retry every 250 ms until the expectation holds, at most this long' }),
    capture: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a name: letters, digits, "_" and "-"')
      .optional()
      .meta({ description: 'keep the stdout (trimmed) as ${name} for later steps' }),
    always: z
      .object({
        until: z.string().min(1).meta({ description: 'a later step id' }),
        interval: duration({ positive: true }).prefault('250ms'),
      })
      .strict()
      .optional()
      .meta({ description: 'check in the background, every interval, until that step has finished' }),
    timeout: duration({ positive: true })
      .prefault('30s')
      .meta({ description: "one kubectl call's deadline" }),
  })
  .strict()
  .superRefine((step, ctx) => {
    const kinds = [step.kubectl && 'kubectl', step.sleep !== undefined && 'sleep'].filter(Boolean);
    if (kinds.length !== 1)
      ctx.addIssue({ code: 'custom', message: 'a step is one of kubectl: [args] or sleep: <duration>' });
    if (step.kubectl) {
      if (step.always && (step.eventually !== undefined || step.capture !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['always'],
          message: 'an always-step cannot also have eventually or capture',
        });
    } else
      for (const key of ['as', 'stdin', 'eventually', 'capture', 'always'] as const)
        if (step[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'only a kubectl step takes this' });
  });

/** A Cluster spec's fields inline; apiVersion and kind may be left out, and name defaults to the scenario's. */
const inlineClusterSchema = clusterSpecSchema.extend({
  apiVersion: clusterSpecSchema.shape.apiVersion.optional(),
  kind: clusterSpecSchema.shape.kind.optional(),
  name: clusterSpecSchema.shape.name.unwrap().optional(),
});

/** What parsing found out about the files a scenario references, before decoding it. */
interface ReferencedFiles {
  /** The scenario file's folder: references are relative to it. */
  dir: string;
  /** By absolute path: why a referenced file cannot be used (missing, not a file, an invalid Cluster spec). */
  problems: ReadonlyMap<string, string>;
}

const NO_FILES: ReferencedFiles = { dir: '', problems: new Map() };

/**
 * The YAML form of a scenario. `cluster` is either inline fields or `{file}`; parsing picks the
 * one the text uses, so that a problem is reported as that form's (a union would only say that
 * neither fits); the editor schema offers both.
 */
function scenarioFileSchema(files: ReferencedFiles, cluster: 'inline' | 'file' | 'either') {
  const referenced = () =>
    z
      .string()
      .min(1)
      .superRefine((path, ctx) => {
        const problem = files.problems.get(resolve(files.dir, path));
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      });
  const clusterFile = z
    .object({
      file: referenced().meta({ description: 'a Cluster spec file, relative to this scenario file' }),
    })
    .strict();
  const clusterField =
    cluster === 'file'
      ? clusterFile
      : cluster === 'inline'
        ? inlineClusterSchema.prefault({})
        : z.union([clusterFile, inlineClusterSchema]).prefault({});
  return z
    .object({
      apiVersion: z.literal(SCENARIO_API_VERSION, { message: `must be "${SCENARIO_API_VERSION}"` }),
      kind: z.literal('Scenario', { message: 'must be "Scenario"' }),
      name: dnsLabel().meta({
        description:
          "the scenario's name: its folder in the reports, and the cluster's name unless cluster.name says otherwise",
      }),
      description: z.string().optional().meta({ description: 'what the experiment shows, for the report' }),
      tags: z
        .array(z.string().min(1))
        .default([])
        .meta({ description: '`crucible run --tag` picks scenarios by them' }),
      cluster: clusterField.meta({
        description:
          'the cluster to boot: the fields of a Cluster spec inline, or {file: <a Cluster spec file>}',
      }),
      tenants: z
        .array(
          z
            .object({
              name: dnsLabel().meta({ description: 'the tenant, and its user' }),
              namespaces: z
                .array(dnsLabel())
                .min(1)
                .optional()
                .meta({ description: 'its namespaces (default [<name>])' }),
            })
            .strict(),
        )
        .default([])
        .meta({
          description: 'namespaces each with a user of their own, bound to `edit` in them and nothing else',
        }),
      namespaces: z.array(dnsLabel()).default([]).meta({
        description:
          "namespaces the run creates for itself (labelled as crucible's, removed with it), besides the tenants': workloads without a tenant go in the first",
      }),
      workloads: z
        .array(
          z
            .object({
              tenant: z.string().optional().meta({
                description:
                  "applied into this tenant's first namespace (default: the scenario's first namespace, else default)",
              }),
              manifests: z
                .array(referenced().meta({ description: 'a manifest file, relative to this scenario file' }))
                .min(1)
                .meta({
                  description:
                    'manifest files (YAML, several documents each), relative to this scenario file',
                }),
            })
            .strict(),
        )
        .default([])
        .meta({ description: 'manifests applied with kubectl before the steady state' }),
      steadyState: z
        .object({
          deploymentsAvailable: z
            .boolean()
            .default(true)
            .meta({ description: 'every Deployment of the workloads has all its replicas ready' }),
          servicesAnswering: z.array(namespacedName()).default([]).meta({
            description:
              "Services (namespace/name) that answer HTTP through every worker's node port (at a load's url instead when that load goes via: url, or the Service has no node port)",
          }),
        })
        .strict()
        .prefault({})
        .meta({ description: 'what must hold before load and faults start, and again in recovery' }),
      load: z
        .array(loadSchema(referenced))
        .default([])
        .meta({ description: "open-model HTTP loads at a constant rate through the workers' node ports" }),
      faults: z
        .object({
          schedule: z
            .array(scheduledFaultSchema)
            .default([])
            .meta({ description: 'faults at fixed times, each healed `for` later' }),
          nemesis: nemesisSchema.optional(),
        })
        .strict()
        .prefault({})
        .meta({ description: 'what is done to the cluster: a schedule, a seeded nemesis, or both' }),
      steps: z.array(stepSchema).default([]).meta({
        description:
          'kubectl actions and their expectations, run in order from the start of the faults phase',
      }),
      checks: z
        .array(checkSchema)
        .default([])
        .meta({ description: 'what judges the run (see the checks below)' }),
      expect: z
        .object({
          fails: z.string().min(1).meta({ description: "the name of one of the scenario's checks" }),
        })
        .strict()
        .optional()
        .meta({
          description:
            "a sabotage scenario's expected outcome: its cluster runs with a known bug turned on (a --sabotage-* flag in extraArgs, or cluster.sabotage), and the run passes — the bug is caught — when this check, and no other, fails with evidence; it fails when the check passes (the bug was missed) or another check fails instead; required when the cluster turns on a --sabotage-* flag or a cluster.sabotage entry",
        }),
      timeouts: z
        .object({
          boot: duration({ positive: true }).prefault('120s'),
          workloads: duration({ positive: true }).prefault('60s'),
          steadyState: duration({ positive: true }).prefault('60s'),
          recovery: duration({ positive: true }).prefault('60s'),
          teardown: duration({ positive: true }).prefault('60s'),
        })
        .strict()
        .prefault({})
        .meta({ description: "each phase's deadline, a duration" }),
    })
    .strict()
    .superRefine(checkReferences, { when: () => true });
}

type ScenarioFile = z.output<ReturnType<typeof scenarioFileSchema>>;

/**
 * Reads a scenario file's text into the form the runner uses: decoded strictly, defaulted, its
 * references resolved against the file's folder (manifests must exist; `cluster: {file}` is read
 * and decoded as a Cluster spec), the nemesis expanded from `seed`, deep-frozen. Every problem —
 * of the scenario and of its cluster file — is reported at once, with its line (ConfigError).
 */
export async function parseScenario(
  text: string,
  file: string,
  { seed }: { seed: number },
): Promise<Scenario> {
  const path = resolve(file);
  const dir = dirname(path);
  const raw = looseParse(text);
  const problems = new Map<string, string>();
  const scripts = list(field(raw, 'load')).map((l) => field(l, 'script'));
  for (const manifest of [
    ...list(field(raw, 'workloads')).flatMap((w) => list(field(w, 'manifests'))),
    ...scripts,
  ]) {
    if (typeof manifest !== 'string') continue;
    const abs = resolve(dir, manifest);
    const problem = await fileProblem(abs);
    if (problem) problems.set(abs, problem);
  }
  const clusterRef = field(raw, 'cluster');
  const clusterByFile = isRecord(clusterRef) && 'file' in clusterRef;
  const clusterPath = asString(field(clusterRef, 'file'));
  let clusterSpec: ClusterSpec | undefined;
  const clusterProblems: ConfigProblem[] = [];
  if (clusterPath) {
    const abs = resolve(dir, clusterPath);
    try {
      clusterSpec = parseClusterSpec(
        await readFile(abs, 'utf8'),
        isAbsolute(clusterPath) ? clusterPath : join(dirname(file), clusterPath),
      );
      const sabotages = sabotagesOf(clusterSpec);
      if (sabotages.length > 0 && field(raw, 'expect') === undefined)
        problems.set(
          abs,
          `turns on a known bug (${sabotages.join(', ')}): a sabotage scenario must say which check catches it, with expect: {fails: <check>}`,
        );
    } catch (e) {
      if (!(e instanceof ConfigError))
        problems.set(abs, (await fileProblem(abs)) ?? `cannot read ${abs}: ${e}`);
      else {
        clusterProblems.push(...e.problems);
        problems.set(abs, 'not a valid Cluster spec (its problems follow)');
      }
    }
  }
  const schema = scenarioFileSchema({ dir, problems }, clusterByFile ? 'file' : 'inline').transform((doc) =>
    toScenario(doc, {
      file: path,
      hash: createHash('sha256').update(text).digest('hex'),
      dir,
      seed,
      clusterSpec,
    }),
  );
  try {
    return decodeYaml(text, file, schema);
  } catch (e) {
    if (e instanceof ConfigError && clusterProblems.length)
      throw new ConfigError([...e.problems, ...clusterProblems]);
    throw e;
  }
}

/** The JSON Schema (draft-07, as YAML editors read it) of a scenario file, per fault type's options included. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const target = 'draft-07';
  const optionsOf = (type: string) => {
    const { $schema: _, ...options } = z.toJSONSchema(faultOfType(type).options, { io: 'input', target });
    return options;
  };
  return z.toJSONSchema(
    scenarioFileSchema(NO_FILES, 'either').meta({
      title: 'crucible Scenario',
      description:
        'A chaos experiment: a cluster, workloads, load, faults and the checks that judge the run.',
    }),
    {
      io: 'input',
      target,
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema === scheduledFaultSchema)
          jsonSchema.allOf = FAULT_TYPES.map((type) => ({
            if: { properties: { type: { const: type } }, required: ['type'] },
            then: { properties: { options: optionsOf(type) } },
          }));
        if (zodSchema === checkSchema)
          jsonSchema.allOf = CHECK_TYPES.map((type) => ({
            if: { properties: { type: { const: type } }, required: ['type'] },
            then: checkShapeJsonSchema(CHECK_SHAPES[type]),
          }));
      },
    },
  );
}

/** What one type of check takes, as the JSON Schema of its `thresholds` and `select`. */
function checkShapeJsonSchema(shape: CheckSpecShape): Record<string, unknown> {
  const required = Object.entries(shape.thresholds)
    .filter(([, rule]) => rule.required)
    .map(([key]) => key);
  const thresholds = {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(shape.thresholds).map(([key, rule]) => [
        key,
        {
          type: rule.kind === 'count' ? 'integer' : 'number',
          minimum: 0,
          ...(rule.kind === 'ratio' ? { maximum: 1 } : {}),
          description: `${rule.description}; ${thresholdKindWords(rule.kind)}`,
        },
      ]),
    ),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
  const select = {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(shape.select).map(([key, description]) => [
        key,
        { type: 'string', minLength: 1, description },
      ]),
    ),
    additionalProperties: false,
  };
  return { properties: { thresholds, select }, ...(required.length ? { required: ['thresholds'] } : {}) };
}

interface ScenarioContext {
  file: string;
  hash: string;
  dir: string;
  seed: number;
  /** The spec `cluster: {file}` names, decoded. */
  clusterSpec?: ClusterSpec;
}

function toScenario(doc: ScenarioFile, ctx: ScenarioContext): Scenario {
  let cluster: ClusterSpec;
  if ('file' in doc.cluster) {
    if (!ctx.clusterSpec) throw new Error(`internal: cluster file ${doc.cluster.file} was not decoded`);
    cluster = ctx.clusterSpec;
  } else {
    const { apiVersion: _apiVersion, kind: _kind, name, ...fields } = doc.cluster;
    cluster = { apiVersion: CLUSTER_API_VERSION, kind: 'Cluster', name: name ?? doc.name, ...fields };
  }
  const ids = faultIds(doc.faults.schedule);
  const scheduled: ScheduledFault[] = doc.faults.schedule.map((f, i) => ({
    id: ids[i]!,
    type: f.type,
    target: f.target,
    options: f.options,
    atMs: f.at,
    forMs: f.for,
    ...(f.tenant === undefined ? {} : { tenant: f.tenant }),
  }));
  const nemesis = doc.faults.nemesis;
  const expanded = nemesis
    ? expandNemesis(
        {
          types: nemesis.types,
          startMs: nemesis.start,
          intervalMs: nemesis.interval,
          durationMs: nemesis.duration,
          count: nemesis.count,
          target: nemesis.target,
        },
        ctx.seed,
      )
    : [];
  const faults = [...scheduled, ...expanded]
    .map((f) => ({ ...f, options: faultOfType(f.type).options.parse(f.options) }))
    .sort((a, b) => a.atMs - b.atMs);
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    name: doc.name,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    tags: doc.tags,
    file: ctx.file,
    hash: ctx.hash,
    cluster,
    tenants: doc.tenants.map((t) => ({ name: t.name, namespaces: t.namespaces ?? [t.name] })),
    namespaces: doc.namespaces,
    workloads: doc.workloads.map((w) => ({
      ...(w.tenant === undefined ? {} : { tenant: w.tenant }),
      manifests: w.manifests.map((m) => resolve(ctx.dir, m)),
    })),
    steadyState: doc.steadyState,
    loads: doc.load.map((l) => ({
      name: l.name,
      service: l.service,
      ...(l.port === undefined ? {} : { port: String(l.port) }),
      path: l.path,
      ...(l.rate === undefined ? {} : { rate: l.rate }),
      ...(l.duration === undefined ? {} : { durationMs: l.duration }),
      ...(l.stages === undefined
        ? {}
        : {
            stages: l.stages.map((st) => ({ durationMs: st.duration, target: st.target })),
            startRate: l.startRate ?? 0,
          }),
      ...(l.requests === undefined ? {} : { requests: l.requests }),
      timeoutMs: l.timeout,
      noConnectionReuse: l.noConnectionReuse,
      ...(l.nodes === undefined ? {} : { nodes: l.nodes }),
      via: l.via,
      ...(l.url === undefined ? {} : { url: l.url }),
      driver: l.driver,
      ...(l.thresholds === undefined ? {} : { thresholds: l.thresholds }),
      ...(l.script === undefined ? {} : { script: resolve(ctx.dir, l.script) }),
    })),
    faults,
    steps: toSteps(doc.steps),
    // checkThresholdsAndSelect has made sure that each value is of its key's kind.
    ...(doc.expect === undefined ? {} : { expect: { fails: doc.expect.fails } }),
    checks: [
      ...doc.checks.map((c) => ({
        name: c.name,
        type: c.type,
        window: c.window,
        thresholds: c.thresholds as Record<string, number>,
        ...(c.select === undefined ? {} : { select: c.select as Record<string, string> }),
      })),
      // k6's own verdict on a load becomes a check of the run, unless the scenario declares one.
      ...impliedCheck(
        doc.checks,
        doc.load.some((l) => l.thresholds !== undefined || l.script !== undefined),
        'load-thresholds',
        'k6-thresholds',
      ),
      // So do the steps' expectations: a step that failed must never leave a run green because no
      // check was written for it.
      ...impliedCheck(
        doc.checks,
        doc.steps.some((s) => s.kubectl),
        'steps',
        doc.checks.some((c) => c.name === 'steps') ? 'kubectl-steps' : 'steps',
      ),
    ],
    timeouts: {
      bootMs: doc.timeouts.boot,
      workloadsMs: doc.timeouts.workloads,
      steadyStateMs: doc.timeouts.steadyState,
      recoveryMs: doc.timeouts.recovery,
      teardownMs: doc.timeouts.teardown,
    },
  };
}

function toSteps(steps: ScenarioFile['steps']): ScenarioStep[] {
  const ids = stepIds(steps);
  return steps.map((s, i): ScenarioStep => {
    const id = ids[i]!;
    if (!s.kubectl) return { kind: 'sleep', id, ms: s.sleep! };
    return {
      kind: 'kubectl',
      id,
      args: s.kubectl,
      ...(s.as === undefined ? {} : { as: s.as }),
      ...(s.stdin === undefined ? {} : { stdin: s.stdin }),
      expect: s.expect,
      ...(s.eventually === undefined ? {} : { eventuallyMs: s.eventually }),
      ...(s.capture === undefined ? {} : { capture: s.capture }),
      ...(s.always ? { always: { until: s.always.until, intervalMs: s.always.interval } } : {}),
      timeoutMs: s.timeout,
    };
  });
}

/**
 * The whole-run check of `type` named `name` that a run gets by itself when `needed`, unless the
 * scenario declares a check of that type.
 */
function impliedCheck(
  declared: readonly { type: string }[],
  needed: boolean,
  type: 'load-thresholds' | 'steps',
  name: string,
): CheckSpec[] {
  if (!needed || declared.some((c) => c.type === type)) return [];
  return [{ name, type, window: 'whole-run', thresholds: {} }];
}

/** Ids of the steps: as given, or `step-<n>` with n the step's place. */
function stepIds(steps: { id?: string | undefined }[]): string[] {
  return steps.map((s, i) => s.id ?? `step-${i + 1}`);
}

/** Ids of the schedule's faults: as given, or `<type>-<n>` with n the fault's place among those of its type. */
function faultIds(schedule: { id?: string | undefined; type: string }[]): string[] {
  const seen = new Map<string, number>();
  return schedule.map((f) => {
    const n = (seen.get(f.type) ?? 0) + 1;
    seen.set(f.type, n);
    return f.id ?? `${f.type}-${n}`;
  });
}

// The checks below also run when other fields have problems (so that every problem is reported
// at once), so they read the value defensively: any field may still hold what the YAML said.

/** Options as the fault's own schema takes them, each problem at its option; then its target as the fault takes it. */
function checkFaultOptions(fault: unknown, ctx: z.RefinementCtx<unknown>): void {
  const type = asString(field(fault, 'type'));
  const options = field(fault, 'options');
  if (type === undefined || !Object.hasOwn(FAULTS, type) || !isRecord(options)) return;
  const plugin = faultOfType(type);
  const schema = plugin.options;
  const result = schema.safeParse(options);
  if (result.success) {
    const target = field(fault, 'target') ?? 'random';
    const problem = typeof target === 'string' ? plugin.targetProblem?.(target, result.data) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: ['target'], message: problem });
    return;
  }
  const names = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        ctx.addIssue({
          code: 'custom',
          path: ['options', ...issue.path, key],
          message: `unknown option "${key}" of ${type}; ${names.length ? `its options: ${names.join(', ')}` : 'it takes none'}`,
          params: AT_KEY,
        });
      continue;
    }
    const missing = issue.path.length === 1 && options[String(issue.path[0])] === undefined;
    ctx.addIssue({
      code: 'custom',
      path: ['options', ...issue.path],
      message: missing ? `required by ${type}` : issue.message,
    });
  }
}

/** Thresholds and select as the check's type takes them (its shape in harness/checks); each problem at its key. */
function checkThresholdsAndSelect(check: unknown, ctx: z.RefinementCtx<unknown>): void {
  const type = asString(field(check, 'type'));
  if (type === undefined || !Object.hasOwn(CHECK_SHAPES, type)) return;
  const thresholds = field(check, 'thresholds');
  const select = field(check, 'select');
  // What is not a map at all is zod's to report.
  const problems = checkSpecProblems(
    {
      type,
      thresholds: isRecord(thresholds) ? thresholds : undefined,
      select: isRecord(select) ? select : undefined,
    },
    CHECK_SHAPES[type as keyof typeof CHECK_SHAPES],
  );
  for (const problem of problems)
    ctx.addIssue({
      code: 'custom',
      path: [...problem.path],
      message: problem.message,
      ...(problem.atKey ? { params: AT_KEY } : {}),
    });
}

/** A nemesis gives no options, so it can only draw types that need none. */
function checkNemesisTypes(nemesis: unknown, ctx: z.RefinementCtx<unknown>): void {
  list(field(nemesis, 'types')).forEach((type, i) => {
    if (typeof type !== 'string' || !Object.hasOwn(FAULTS, type)) return;
    const result = faultOfType(type).options.safeParse({});
    if (result.success) return;
    const needs = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))].join(', ');
    ctx.addIssue({
      code: 'custom',
      path: ['types', i],
      message: `${type} needs options (${needs}), which a nemesis cannot give: put it in faults.schedule`,
    });
  });
}

/** Names that must be unique, and references that must name something declared. */
function checkReferences(doc: unknown, ctx: z.RefinementCtx<unknown>): void {
  const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const unique = (
    what: string,
    entries: { value: string | undefined; path: PropertyKey[]; hint?: string }[],
  ) => {
    const seen = new Set<string>();
    for (const { value, path, hint } of entries) {
      if (value === undefined) continue;
      if (seen.has(value)) problem(path, `duplicate ${what} "${value}"${hint ?? ''}`);
      seen.add(value);
    }
  };
  const oneOf = (what: string, names: Iterable<string>) => {
    const all = [...names];
    return all.length ? `the ${what}: ${all.join(', ')}` : `the scenario declares no ${what}`;
  };

  const tenants = list(field(doc, 'tenants'));
  unique(
    'tenant name',
    tenants.map((t, i) => ({ value: asString(field(t, 'name')), path: ['tenants', i, 'name'] })),
  );
  const tenantNames = new Set(tenants.map((t) => asString(field(t, 'name'))).filter((n) => n !== undefined));
  const owners = new Map<string, string>();
  tenants.forEach((t, i) => {
    const name = asString(field(t, 'name'));
    if (name === undefined) return;
    const given = field(t, 'namespaces');
    (given === undefined ? [name] : list(given)).forEach((ns, j) => {
      if (typeof ns !== 'string') return;
      const owner = owners.get(ns);
      if (owner !== undefined && owner !== name)
        problem(
          given === undefined ? ['tenants', i, 'name'] : ['tenants', i, 'namespaces', j],
          `namespace "${ns}" belongs to tenant "${owner}" already`,
        );
      else owners.set(ns, name);
    });
  });
  list(field(doc, 'namespaces')).forEach((ns, i) => {
    if (typeof ns !== 'string') return;
    if (RESERVED_NAMESPACES.includes(ns))
      problem(['namespaces', i], `"${ns}" is not the run's to create or remove: name a namespace of its own`);
    if (owners.has(ns))
      problem(['namespaces', i], `namespace "${ns}" belongs to tenant "${owners.get(ns)}" already`);
  });
  unique(
    'namespace',
    list(field(doc, 'namespaces')).map((ns, i) => ({ value: asString(ns), path: ['namespaces', i] })),
  );
  const knownTenant = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === 'string' && !tenantNames.has(value))
      problem(path, `unknown tenant "${value}"; ${oneOf('tenants', tenantNames)}`);
  };
  list(field(doc, 'workloads')).forEach((w, i) =>
    knownTenant(field(w, 'tenant'), ['workloads', i, 'tenant']),
  );

  const loads = list(field(doc, 'load'));
  unique(
    'load name',
    loads.map((l, i) => ({ value: asString(field(l, 'name')), path: ['load', i, 'name'] })),
  );
  const loadNames = new Set(loads.map((l) => asString(field(l, 'name'))).filter((n) => n !== undefined));

  const faults = field(doc, 'faults');
  const schedule = list(field(faults, 'schedule'));
  schedule.forEach((f, i) => knownTenant(field(f, 'tenant'), ['faults', 'schedule', i, 'tenant']));
  const scheduledIds = faultIds(
    schedule.map((f) => ({ id: asString(field(f, 'id')), type: asString(field(f, 'type')) ?? '' })),
  );
  const count = field(field(faults, 'nemesis'), 'count');
  const nemesisIds =
    typeof count === 'number' && Number.isInteger(count) && count > 0
      ? Array.from({ length: Math.min(count, 1000) }, (_, i) => nemesisFaultId(i + 1))
      : [];
  // The nemesis's ids come first, so that a clash is reported at the scheduled fault.
  unique('fault id', [
    ...nemesisIds.map((id) => ({ value: id, path: ['faults', 'nemesis', 'count'] })),
    ...scheduledIds.map((id, i) =>
      field(schedule[i], 'id') === undefined
        ? { value: id, path: ['faults', 'schedule', i], hint: ' (its default id): give it an id' }
        : { value: id, path: ['faults', 'schedule', i, 'id'] },
    ),
  ]);
  const faultIdSet = new Set([...scheduledIds, ...nemesisIds]);
  const hasFaults = schedule.length > 0 || field(faults, 'nemesis') !== undefined;

  const steps = list(field(doc, 'steps'));
  const ids = stepIds(steps.map((st) => ({ id: asString(field(st, 'id')) })));
  unique(
    'step id',
    ids.map((value, i) => ({ value, path: ['steps', i, 'id'] })),
  );
  const capturedSoFar = new Set<string>();
  steps.forEach((st, i) => {
    knownTenant(field(st, 'as'), ['steps', i, 'as']);
    const texts = stringsIn([field(st, 'kubectl'), field(st, 'stdin'), field(st, 'expect')]);
    for (const text of texts)
      for (const [, name] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g))
        if (!capturedSoFar.has(name!))
          problem(['steps', i], `\${${name}}: no earlier step captures "${name}"`);
    const capture = asString(field(st, 'capture'));
    if (capture !== undefined) capturedSoFar.add(capture);
    const until = asString(field(field(st, 'always'), 'until'));
    if (until === undefined) return;
    const at = ids.indexOf(until);
    if (at <= i)
      problem(
        ['steps', i, 'always', 'until'],
        at < 0
          ? `no step has the id "${until}"; ${oneOf('steps', ids)}`
          : `"${until}" must come after this step`,
      );
    else if (field(steps[at], 'always') !== undefined)
      problem(['steps', i, 'always', 'until'], `"${until}" is an always-step itself; name a step that ends`);
  });

  const checks = list(field(doc, 'checks'));
  unique(
    'check name',
    checks.map((c, i) => ({ value: asString(field(c, 'name')), path: ['checks', i, 'name'] })),
  );
  checks.forEach((c, i) => {
    const during = asString(field(field(c, 'window'), 'during'));
    if (during !== undefined && !faultIdSet.has(during))
      problem(
        ['checks', i, 'window', 'during'],
        `no fault has the id "${during}"; ${oneOf('faults', faultIdSet)}`,
      );
    if (!hasFaults && field(c, 'window') === 'after-heal')
      problem(
        ['checks', i, 'window'],
        'after-heal starts when the last fault is healed, and the scenario has no faults: use whole-run, or add a fault',
      );
    const type = asString(field(c, 'type'));
    if (!hasFaults && type !== undefined && Object.hasOwn(CHECK_SHAPES, type))
      if (CHECK_SHAPES[type as keyof typeof CHECK_SHAPES].needsFault)
        problem(
          ['checks', i, 'type'],
          `${type} measures from a fault's injection, and the scenario has no faults: add a fault, or drop the check`,
        );
    const step = asString(field(field(c, 'select'), 'step'));
    if (step !== undefined && !ids.includes(step))
      problem(['checks', i, 'select', 'step'], `unknown step "${step}"; ${oneOf('steps', ids)}`);
    const load = asString(field(field(c, 'select'), 'load'));
    if (load !== undefined && !loadNames.has(load))
      problem(['checks', i, 'select', 'load'], `unknown load "${load}"; ${oneOf('loads', loadNames)}`);
  });

  const expect = field(doc, 'expect');
  const expected = asString(field(expect, 'fails'));
  const checkNames = checks.map((c) => asString(field(c, 'name'))).filter((n) => n !== undefined);
  if (expected !== undefined && !checkNames.includes(expected))
    problem(['expect', 'fails'], `no check has the name "${expected}"; ${oneOf('checks', checkNames)}`);
  const inline = field(doc, 'cluster');
  if (isRecord(inline) && !('file' in inline)) {
    const sabotages = sabotagesOf(inline);
    const known = (Object.keys(SABOTAGES) as SabotageName[]).map(sabotageFlag);
    for (const flag of sabotages.filter((f) => f.startsWith(SABOTAGE_FLAG) && !known.includes(f)))
      problem(['cluster', 'extraArgs'], `unknown sabotage ${flag}; the known bugs: ${known.join(', ')}`);
    if (sabotages.length > 0 && expect === undefined)
      problem(
        ['cluster'],
        `turns on a known bug (${sabotages.join(', ')}): a sabotage scenario must say which check catches it, with expect: {fails: <check>}`,
      );
  }

  const name = asString(field(doc, 'name'));
  const cluster = field(doc, 'cluster');
  if (
    name !== undefined &&
    name.length > CLUSTER_NAME_MAX &&
    isRecord(cluster) &&
    !('file' in cluster) &&
    cluster.name === undefined
  )
    problem(
      ['name'],
      `is also the cluster's name, which is at most ${CLUSTER_NAME_MAX} characters: shorten it or set cluster.name`,
    );
}

/**
 * The known bugs a cluster (its fields, as the YAML gives them) turns on: `--sabotage-*` flags in
 * its extraArgs and its `sabotage` list. Such a cluster may only run in a scenario that declares
 * which check must catch the bug, so that a sabotaged run never counts as a chaos or conformance run.
 */
function sabotagesOf(cluster: unknown): string[] {
  const flags = Object.values(
    isRecord(field(cluster, 'extraArgs')) ? (field(cluster, 'extraArgs') as Record<string, unknown>) : {},
  )
    .flatMap(list)
    .filter((a): a is string => typeof a === 'string' && a.startsWith(SABOTAGE_FLAG))
    .map((a) => a.split('=')[0]!);
  const listed = list(field(cluster, 'sabotage')).filter((s): s is string => typeof s === 'string');
  return [...flags, ...listed];
}

/** The YAML as plain data, to find the files it references before decoding it; undefined when it does not parse. */
function looseParse(text: string): unknown {
  try {
    return parseDocument(text).toJS();
  } catch {
    return undefined;
  }
}

async function fileProblem(abs: string): Promise<string | undefined> {
  try {
    return (await stat(abs)).isFile() ? undefined : `not a file: ${abs}`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no such file: ${abs}` : `cannot read ${abs}: ${code ?? String(e)}`;
  }
}

/** Every string in a YAML value, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isRecord(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

function isRegExp(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
