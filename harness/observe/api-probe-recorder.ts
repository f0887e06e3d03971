import type { ApiProbeSample } from '../history/history.js';
import type { ApiAccess } from './api-access.js';
import type { HistoryPart } from '../history/history-assembler.js';
import { NoAnswerError } from './no-answer-error.js';
import { RawApiClient } from './raw-api-client.js';
import { elapsedSince, type RecorderOptions } from './recorder-options.js';
import { SamplingLoop } from './sampling-loop.js';
import { statusMessage } from './status-message.js';

export interface ApiProbeRecorderOptions extends RecorderOptions {
  access: ApiAccess;
  /** Default 250 ms. */
  intervalMs?: number;
  /** Deadline of each probe; default 1000 ms. */
  timeoutMs?: number;
}

/** What the probe reads: cheap, always there, and needs a valid token and a working storage. */
const PROBE_PATH = '/api/v1/namespaces/default';

/**
 * The API probe: at a fixed rate, an authenticated GET of the `default` Namespace with a short
 * deadline, recording whether it succeeded and how long it took (`series.api`). Latency is
 * measured on the monotonic clock; `t` on the injected one. A probe that got no answer fails over
 * to the next apiserver for the next one.
 */
export class ApiProbeRecorder {
  private readonly client: RawApiClient;
  private readonly loop: SamplingLoop;
  private readonly now: () => number;
  private readonly recorded: ApiProbeSample[] = [];
  private stopping?: Promise<void>;

  constructor(private readonly options: ApiProbeRecorderOptions) {
    this.now = elapsedSince(options);
    this.client = new RawApiClient({
      apiservers: options.access.apiservers,
      caPem: options.access.caPem,
      ...(options.access.clientCert ? { clientCert: options.access.clientCert } : {}),
      timeoutMs: options.timeoutMs ?? 1000,
    });
    this.loop = new SamplingLoop(
      options.intervalMs ?? 250,
      () => this.probe(),
      () => undefined,
    );
  }

  /** Every probe so far, in time order. */
  get samples(): readonly ApiProbeSample[] {
    return this.recorded;
  }

  part(): HistoryPart {
    return { series: { api: this.recorded } };
  }

  start(): void {
    this.loop.start();
  }

  /** Stops probing after the probe in flight; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.loop.stop().then(() => this.client.close());
    return this.stopping;
  }

  private async probe(): Promise<void> {
    const t = this.now();
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const answer = await this.client.send('GET', PROBE_PATH, this.options.access.token);
      const ok = answer.status === 200;
      this.recorded.push({
        t,
        ok,
        latencyMs: latency(),
        status: answer.status,
        ...(ok ? {} : { error: statusMessage(answer.status, answer.body) }),
      });
    } catch (e) {
      const error = e instanceof NoAnswerError ? e.message : String(e);
      this.recorded.push({ t, ok: false, latencyMs: latency(), error });
    }
  }
}
