import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import {
  LoadError,
  createLoadDriver,
  parseLoadSpec,
  progressLine,
  resolveLoadBalancerTarget,
  resolveServiceTargets,
  summaryTable,
  urlTargets,
  type LoadSpec,
  type LoadTarget,
  type LoadWorker,
} from '../load/index.js';

interface LoadFlags {
  target: string;
  rate?: string;
  duration?: string;
  stages?: string;
  startRate?: string;
  driver: string;
  method: string;
  path: string;
  expect?: string;
  body?: string;
  timeout: string;
  maxInFlight: string;
  connectionReuse: boolean;
  tag: string[];
  script?: string;
  cluster?: string;
  samples?: string;
  json?: string;
}

/** What a Service target needs: a client of the cluster's API and its workers' addresses. */
export type ClusterConnector = (
  name: string,
) => Promise<{ client: Pick<ApiClient, 'get'>; workers: LoadWorker[] }>;

/**
 * `crucible load`: an open-model HTTP load at URLs (or, given a cluster connector, a Service
 * through its workers' node ports), with a progress line on stderr once a second and a summary
 * table on stdout. Ctrl-C stops sending, lets what is in flight finish, and still prints the
 * summary.
 */
export function loadCommand(connectCluster?: ClusterConnector): Command {
  return new Command('load')
    .description('drive an open-model HTTP load at a target and summarise it')
    .requiredOption('--target <target>', 'URL(s), comma-separated, or a Service: namespace/name[:port]')
    .option('--rate <n>', 'requests per second, constant')
    .option('--duration <d>', 'how long at --rate, e.g. 500ms, 10s, 2m (default 10s)')
    .option('--stages <list>', 'ramping instead of --rate: duration:rate,… e.g. 10s:100,30s:100,10s:0')
    .option('--start-rate <n>', 'ramping: the rate the first stage starts from (default 0)')
    .addOption(
      new Option('--driver <name>', 'k6 when found, else builtin')
        .choices(['auto', 'k6', 'builtin'])
        .default('auto'),
    )
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--path <path>', 'request path, appended to the target', '/')
    .option('--expect <statuses>', 'comma-separated statuses that count as success (default 200–399)')
    .option('--body <text>', 'request body')
    .option('--timeout <d>', 'per request', '10s')
    .option('--max-in-flight <n>', 'requests in flight at most; beyond it a due request is dropped', '1000')
    .option(
      '--no-connection-reuse',
      "each request on a connection of its own (k6's noConnectionReuse): a Service balances connections, not requests",
    )
    .option(
      '--tag <key=value>',
      'a tag for the run (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--script <file>', 'your own k6 script instead of the rendered one; it gets __ENV.TARGET')
    .option('--cluster <name>', 'the cluster a namespace/name target is in')
    .option('--samples <file>', 'also write every sample, one JSON object a line')
    .option('--json <file>', 'also write the result (summary, 1 s buckets, thresholds) as JSON')
    .action(async (flags: LoadFlags) => {
      const spec = parseLoadSpec(specInput(flags));
      const targets = await targetsOf(spec, flags.cluster, connectCluster);
      const driver = await createLoadDriver(spec, targets);
      const abort = new AbortController();
      const onSignal = () => {
        if (abort.signal.aborted) process.exit(130);
        process.stderr.write(
          '\nstopping: no more requests; waiting for those in flight (Ctrl-C again to quit)\n',
        );
        abort.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const samples = flags.samples ? createWriteStream(flags.samples) : undefined;
      const live = process.stderr.isTTY;
      process.stderr.write(
        `load: ${driver.name} driver, ${describeArrival(spec)} → ${targets.map((t) => t.url).join(', ')}\n`,
      );
      try {
        const result = await driver.run({
          signal: abort.signal,
          ...(samples ? { onSample: (s) => samples.write(JSON.stringify(s) + '\n') } : {}),
          onProgress: (p) =>
            process.stderr.write(live ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`),
        });
        if (live) process.stderr.write('\n');
        process.stdout.write(summaryTable(result).join('\n') + '\n');
        if (flags.json)
          await writeFile(flags.json, JSON.stringify({ spec, targets, result }, null, 2) + '\n');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (samples) await new Promise((resolve) => samples.end(resolve));
      }
    });
}

/** The flags as a load spec's input; parseLoadSpec reports every problem in it at once. */
function specInput(flags: LoadFlags): Record<string, unknown> {
  const targets = flags.target.split(',').map((t) => t.trim());
  const ramping = flags.stages !== undefined;
  return {
    target: targets.length > 1 ? targets : targets[0],
    ...(flags.rate !== undefined ? { rate: number(flags.rate) } : {}),
    ...(ramping ? {} : { duration: flags.duration ?? '10s' }),
    ...(ramping && flags.duration !== undefined ? { duration: flags.duration } : {}),
    ...(ramping ? { stages: stages(flags.stages!) } : {}),
    ...(flags.startRate !== undefined ? { startRate: number(flags.startRate) } : {}),
    requests: [
      {
        method: flags.method.toUpperCase(),
        path: flags.path,
        ...(flags.body !== undefined ? { body: flags.body } : {}),
        ...(flags.expect !== undefined ? { expectStatus: flags.expect.split(',').map(number) } : {}),
      },
    ],
    timeout: flags.timeout,
    maxInFlight: number(flags.maxInFlight),
    noConnectionReuse: !flags.connectionReuse,
    tags: Object.fromEntries(
      flags.tag.map((t) => {
        const eq = t.indexOf('=');
        return eq < 0 ? [t, ''] : [t.slice(0, eq), t.slice(eq + 1)];
      }),
    ),
    driver: flags.driver,
    ...(flags.script !== undefined ? { script: flags.script } : {}),
  };
}

/** `10s:100,20s:0` → stages; a malformed item is kept as text so the spec's check reports it. */
function stages(text: string): unknown[] {
  return text.split(',').map((item) => {
    const colon = item.lastIndexOf(':');
    return colon < 0
      ? item
      : { duration: item.slice(0, colon).trim(), target: number(item.slice(colon + 1)) };
  });
}

/** A number when the text is one; the text itself otherwise, for the spec's check to name. */
function number(text: string): number | string {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

async function targetsOf(
  spec: LoadSpec,
  cluster: string | undefined,
  connect: ClusterConnector | undefined,
): Promise<LoadTarget[]> {
  const target = spec.target;
  if (target.kind === 'urls') return urlTargets(target.urls);
  if (!cluster || !connect)
    throw new LoadError('ServiceTargetNeedsCluster', 'ns/svc targets need --cluster (wired by the runner)');
  const { client, workers } = await connect(cluster);
  const unknown = (target.workers ?? []).filter((name) => !workers.some((w) => w.name === name));
  if (unknown.length > 0)
    throw new LoadError(
      'InvalidLoadSpec',
      `cluster "${cluster}" has no worker ${unknown.join(', ')} (workers: ${workers.map((w) => w.name).join(', ')})`,
    );
  // A LoadBalancer Service with its ingress is reached through its balancer, unless workers are named.
  if (!target.workers) {
    const balancer = await resolveLoadBalancerTarget(client, target.namespace, target.name, target.port);
    if (balancer) return [balancer];
  }
  const chosen = target.workers ? workers.filter((w) => target.workers!.includes(w.name)) : workers;
  return resolveServiceTargets(client, chosen, target.namespace, target.name, target.port);
}

function describeArrival(spec: LoadSpec): string {
  const a = spec.arrival;
  if (a.kind === 'constant') return `${a.rate}/s for ${a.durationMs / 1000} s`;
  return `ramping from ${a.startRate}/s through ${a.stages.map((s) => `${s.target}/s in ${s.durationMs / 1000} s`).join(', ')}`;
}
