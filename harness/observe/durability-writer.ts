import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { ApiError } from '../../orchestrator/api/errors.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { ConfigMap } from '../../orchestrator/api/types.js';
import { type ApiAccess, observerClient } from './api-access.js';
import type { DurabilityLog } from '../history/history.js';
import type { HistoryPart } from '../history/history-assembler.js';
import { elapsedSince, type RecorderOptions } from './recorder-options.js';
import { SamplingLoop } from './sampling-loop.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

export interface DurabilityWriterOptions extends RecorderOptions {
  access: ApiAccess;
  /** Where the ConfigMaps are written; it must exist. */
  namespace: string;
  /** Default 500 ms. */
  intervalMs?: number;
  /** Deadline of each write and each read; default 2000 ms. */
  timeoutMs?: number;
  /** Names of the ConfigMaps: `<prefix>-<n>`; default `crucible-durability`. */
  prefix?: string;
}

type Write = DurabilityLog['writes'][number];
type FinalRead = DurabilityLog['finalReads'][number];

/** Reads in flight at once when verifying. */
const READ_CONCURRENCY = 8;

/**
 * Durability writes: at a fixed rate, one write of a new ConfigMap `<prefix>-<n>` holding
 * `{value: '<n>'}`, logged with whether the API acknowledged it (key = the ConfigMap's name).
 * A write is never retried (a write that may have landed must not be repeated), and one write
 * ends before the next begins. A name already taken (left by an earlier run) is overwritten.
 * After heal, `verify()` reads every acknowledged key back into `finalReads`.
 */
export class DurabilityWriter {
  private readonly client: ApiClient;
  private readonly loop: SamplingLoop;
  private readonly now: () => number;
  private readonly writes: Write[] = [];
  private readonly finalReads: FinalRead[] = [];
  private readonly prefix: string;
  private n = 0;
  private stopping?: Promise<void>;

  constructor(private readonly options: DurabilityWriterOptions) {
    this.now = elapsedSince(options);
    this.prefix = options.prefix ?? 'crucible-durability';
    this.client = observerClient(options.access, 'crucible-durability', { timeoutMs: options.timeoutMs });
    this.loop = new SamplingLoop(
      options.intervalMs ?? 500,
      () => this.write(),
      () => undefined,
    );
  }

  /** The writes so far and, after verify(), the final reads (copies). */
  get log(): DurabilityLog {
    return { writes: [...this.writes], finalReads: [...this.finalReads] };
  }

  part(): HistoryPart {
    return { durability: this.log };
  }

  start(): void {
    this.loop.start();
  }

  /** Stops writing after the write in flight; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.loop.stop().then(() => this.client.close().catch(() => undefined));
    return this.stopping;
  }

  /**
   * Stops writing, then reads every acknowledged key back (a read that fails is retried by the
   * client, then recorded with its error; a key not found is recorded without a value). Returns
   * the reads; they are in `log.finalReads` too. Call it once, after heal.
   */
  async verify(): Promise<readonly FinalRead[]> {
    await this.stop();
    const keys = [...new Set(this.writes.filter((w) => w.acknowledged).map((w) => w.key))];
    const reader = observerClient(this.options.access, 'crucible-durability', {
      timeoutMs: this.options.timeoutMs,
      retries: 3,
    });
    try {
      const reads: FinalRead[] = [];
      for (let i = 0; i < keys.length; i += READ_CONCURRENCY)
        reads.push(
          ...(await Promise.all(keys.slice(i, i + READ_CONCURRENCY).map((k) => this.read(reader, k)))),
        );
      this.finalReads.push(...reads);
      return reads;
    } finally {
      await reader.close().catch(() => undefined);
    }
  }

  private async write(): Promise<void> {
    const n = ++this.n;
    const key = `${this.prefix}-${n}`;
    const value = String(n);
    const t = this.now();
    const configMap: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: key,
        namespace: this.options.namespace,
        labels: { 'crucible.dev/durability': 'true' },
      },
      data: { value },
    };
    try {
      try {
        await this.client.create(CONFIGMAPS, configMap);
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
        await this.client.update(CONFIGMAPS, configMap);
      }
      this.writes.push({ t, key, value, acknowledged: true });
    } catch (e) {
      this.writes.push({ t, key, value, acknowledged: false, error: (e as Error).message });
    }
  }

  private async read(reader: ApiClient, key: string): Promise<FinalRead> {
    const t = this.now();
    try {
      const found = await reader.tryGet<ConfigMap>(CONFIGMAPS, this.options.namespace, key);
      const value = found?.data?.value;
      return value === undefined ? { t, key } : { t, key, value };
    } catch (e) {
      return { t, key, error: (e as Error).message };
    }
  }
}
