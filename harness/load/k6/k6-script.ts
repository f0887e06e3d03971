import { peakRate, type ArrivalProfile, type LoadSpec } from '../load-spec.js';
import { RequestMix } from '../request-mix.js';
import { K6_POD_METRIC } from './k6-output-parser.js';

/** The environment variable the rendered script reads its targets from: JSON [{url, node}]. */
export const K6_TARGETS_ENV = 'CRUCIBLE_TARGETS';
/** The first target's URL, for scripts users bring (`__ENV.TARGET`). */
export const K6_TARGET_ENV = 'TARGET';
/** The spec's peak rate (requests per second), for scripts users bring (`__ENV.RATE`). */
export const K6_RATE_ENV = 'RATE';

/** k6's default system tags, plus vu and iter so a request's pod can be joined to it. */
const SYSTEM_TAGS = [
  'proto',
  'subproto',
  'status',
  'method',
  'url',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'tls_version',
  'scenario',
  'service',
  'expected_response',
  'vu',
  'iter',
];

/** Bodies up to this size are looked at for the pod that answered. */
const POD_BODY_LIMIT = 4096;

/**
 * The k6 options of a load spec: one scenario, `constant-arrival-rate` or
 * `ramping-arrival-rate` (open model: k6 starts iterations on schedule and counts the ones it
 * has no VU for as dropped_iterations), `maxInFlight` as maxVUs, the run's tags and thresholds,
 * and p(99) in the summary export.
 */
export function k6Options(spec: LoadSpec): Record<string, unknown> {
  const { rates, timeUnit } = rateUnit(spec.arrival);
  const vus = Math.min(spec.maxInFlight, Math.max(1, Math.ceil(peakRate(spec.arrival) / 10)));
  const common = {
    timeUnit,
    preAllocatedVUs: vus,
    maxVUs: spec.maxInFlight,
    // Requests in flight at the end get their whole timeout before k6 stops them.
    gracefulStop: formatDuration(spec.timeoutMs + 1000),
  };
  const scenario =
    spec.arrival.kind === 'constant'
      ? {
          executor: 'constant-arrival-rate',
          rate: rates[0],
          duration: formatDuration(spec.arrival.durationMs),
          ...common,
        }
      : {
          executor: 'ramping-arrival-rate',
          startRate: rates[0],
          stages: spec.arrival.stages.map((s, i) => ({
            duration: formatDuration(s.durationMs),
            target: rates[i + 1],
          })),
          ...common,
        };
  return {
    scenarios: { crucible: scenario },
    ...(Object.keys(spec.tags).length > 0 ? { tags: spec.tags } : {}),
    ...(Object.keys(spec.thresholds).length > 0 ? { thresholds: spec.thresholds } : {}),
    ...(spec.noConnectionReuse ? { noConnectionReuse: true } : {}),
    systemTags: SYSTEM_TAGS,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
}

/**
 * The k6 script of a load spec. Targets are not in it: the script reads them from
 * CRUCIBLE_TARGETS, so the same script serves any cluster. Iteration i goes to target
 * i mod n (round-robin over the workers) and sends the mix's request for i, in the same weighted
 * round-robin order as the builtin driver. Each request is tagged with the node it went to and
 * its name; when the answer is the echo workload's JSON, the pod that answered is recorded as a
 * `crucible_pod` point, joined back to the request by its vu and iter.
 */
export function renderK6Script(spec: LoadSpec): string {
  const requests = spec.requests.map((r) => ({
    name: r.name,
    method: r.method,
    path: r.path,
    headers: r.headers,
    body: r.body ?? null,
    expect: r.expectStatus ?? [{ min: 200, max: 399 }],
  }));
  const order = RequestMix.cycle(spec.requests.map((r) => r.weight));
  return `// Rendered by crucible from a load spec. The targets come from the environment
// (${K6_TARGETS_ENV}: a JSON list of {url, node}), so one script serves any cluster.
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';

export const options = ${JSON.stringify(k6Options(spec), null, 2)};

const targets = JSON.parse(__ENV.${K6_TARGETS_ENV});
const requests = ${JSON.stringify(requests, null, 2)};
// The mix's weighted round-robin cycle: iteration i sends requests[order[i % order.length]].
const order = ${JSON.stringify(order)};
const expected = requests.map((r) => http.expectedStatuses(...r.expect));
const pods = new Counter('${K6_POD_METRIC}');

export default function () {
  const i = exec.scenario.iterationInTest;
  const target = targets[i % targets.length];
  const which = order[i % order.length];
  const request = requests[which];
  const res = http.request(request.method, target.url + request.path, request.body, {
    headers: request.headers,
    timeout: '${formatDuration(spec.timeoutMs)}',
    responseCallback: expected[which],
    tags: { crucible_node: target.node, crucible_request: request.name },
  });
  const body = res.body;
  if (typeof body === 'string' && body.length <= ${POD_BODY_LIMIT} && body.startsWith('{')) {
    try {
      const pod = JSON.parse(body).pod;
      if (typeof pod === 'string' && pod !== '') pods.add(1, { pod });
    } catch (_) {
      // Not the echo workload's answer: no pod to tell.
    }
  }
}
`;
}

/**
 * k6 takes whole rates per time unit: whole rates per second as they are, otherwise in
 * thousandths (per 1000 s), the same spacing of arrivals.
 */
function rateUnit(arrival: ArrivalProfile): { rates: number[]; timeUnit: string } {
  const rates =
    arrival.kind === 'constant'
      ? [arrival.rate]
      : [arrival.startRate, ...arrival.stages.map((s) => s.target)];
  if (rates.every(Number.isInteger)) return { rates, timeUnit: '1s' };
  return { rates: rates.map((r) => Math.round(r * 1000)), timeUnit: '1000s' };
}

/** Milliseconds as k6 (and Go) write durations: 2m, 10s, 1500ms. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
