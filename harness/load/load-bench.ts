import { Worker } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { BuiltinDriver } from './builtin/builtin-driver.js';
import { urlTargets } from './load-driver.js';
import { parseLoadSpec } from './load-spec.js';

export interface BuiltinBenchOptions {
  /** Requests per second asked of the driver. */
  rate?: number;
  durationSeconds?: number;
  maxInFlight?: number;
  progress?: (line: string) => void;
}

export interface BuiltinBenchResult {
  targetRate: number;
  durationSeconds: number;
  /** Requests the schedule held: rate × duration. */
  scheduled: number;
  sent: number;
  /** Requests sent per second, first intended start to last answer. */
  achievedRate: number;
  dropped: number;
  failed: number;
  /** Latency from the intended start. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * How late the driver sent requests against their schedule: its own share of the latency
   * (timers have millisecond granularity, so the median is about half a millisecond or more).
   */
  sendLagP50Ms: number;
  sendLagP99Ms: number;
  sendLagMaxMs: number;
}

/**
 * Whether the builtin driver holds a rate: an open-model run against an HTTP server on
 * 127.0.0.1 that answers like the echo workload (small JSON naming a pod), in a worker thread
 * so the server has its own event loop and the driver measures itself, not the two sharing one.
 * Reports honestly what was dropped and how late the driver was.
 */
export async function benchBuiltinDriver(opts: BuiltinBenchOptions = {}): Promise<BuiltinBenchResult> {
  const rate = opts.rate ?? 5000;
  const durationSeconds = opts.durationSeconds ?? 5;
  const server = await startEchoWorker();
  try {
    const spec = parseLoadSpec({
      target: server.url,
      rate,
      duration: `${durationSeconds}s`,
      timeout: '5s',
      maxInFlight: opts.maxInFlight ?? 1000,
    });
    // A real target has been serving for a while; this one has just started. Warm it (and its
    // JIT) with half a second of the same load, discarded, so the figure is the driver's.
    await new BuiltinDriver(
      { ...spec, arrival: { kind: 'constant', rate, durationMs: 500 } },
      urlTargets([server.url]),
    ).run();
    const lag = hdr.build({ numberOfSignificantValueDigits: 3 });
    const driver = new BuiltinDriver(spec, urlTargets([server.url]));
    opts.progress?.(`builtin driver: ${rate} req/s for ${durationSeconds} s against ${server.url}`);
    const { summary } = await driver.run({
      onSample: (s) => {
        if (s.outcome !== 'dropped')
          lag.recordValue(Math.max(0, Math.round((s.actualStartMs - s.intendedStartMs) * 1000)));
      },
      onProgress: (p) =>
        opts.progress?.(
          `  ${p.elapsedSeconds.toFixed(0)} s: ${p.count} sent, ${p.lastSecondRate}/s, ${p.dropped} dropped`,
        ),
    });
    return {
      targetRate: rate,
      durationSeconds,
      scheduled: Math.round(rate * durationSeconds),
      sent: summary.count,
      achievedRate: summary.rate,
      dropped: summary.dropped,
      failed: summary.failed,
      p50Ms: summary.latencyMs.p50,
      p99Ms: summary.latencyMs.p99,
      maxMs: summary.latencyMs.max,
      sendLagP50Ms: lag.getValueAtPercentile(50) / 1000,
      sendLagP99Ms: lag.getValueAtPercentile(99) / 1000,
      sendLagMaxMs: lag.maxValue / 1000,
    };
  } finally {
    await server.stop();
  }
}

/** The echo workload's answer, as it sends it (chunked JSON), minus env, faults and probes. */
const ECHO_WORKER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
let served = 0;
const server = http.createServer((req, res) => {
  const body = { pod: 'bench-echo', namespace: 'bench', node: '', counter: ++served, path: req.url, host: req.headers.host || '' };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => {
  server.close();
  server.closeAllConnections();
  parentPort.close();
});
`;

async function startEchoWorker(): Promise<{ url: string; stop: () => Promise<void> }> {
  const worker = new Worker(ECHO_WORKER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      worker.postMessage('stop');
      const exited = new Promise((r) => worker.once('exit', r));
      const timer = setTimeout(() => void worker.terminate(), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}
