import { randomBytes } from 'node:crypto';
import type { FaultContext, FaultRecord } from './fault.js';
import { faultOfType } from './fault-catalogue.js';
import { FaultLedger } from './fault-ledger.js';
import { healEverything } from './heal-everything.js';

/** What the injector reports, for the run's history. */
export interface FaultEvent {
  at: string;
  phase: 'inject' | 'heal';
  fault: FaultRecord;
  ok: boolean;
  error?: string;
}

/**
 * Injects and heals faults on one cluster, Jepsen's contract: every fault is written down before
 * it acts; a failed inject is healed at once; heal is idempotent; both are reported as events.
 */
export class FaultInjector {
  private readonly ledger: FaultLedger;

  constructor(
    private readonly ctx: FaultContext,
    private readonly onEvent: (event: FaultEvent) => void = () => undefined,
  ) {
    this.ledger = new FaultLedger(ctx.state.name);
  }

  /** Validates the options (every problem listed), resolves the targets, records the fault and injects it. */
  async inject(type: string, target: string, options: Record<string, unknown> = {}): Promise<FaultRecord> {
    const plugin = faultOfType(type);
    const parsed = plugin.options.safeParse(options);
    if (!parsed.success)
      throw new Error(
        `${type}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`,
      );
    const targets = await plugin.targets(this.ctx, target, parsed.data);
    const record: FaultRecord = {
      id: `${type}-${randomBytes(3).toString('hex')}`,
      type,
      targets,
      options: parsed.data,
      injectedAt: new Date().toISOString(),
    };
    await this.ledger.add(record);
    try {
      await plugin.inject(this.ctx, targets, parsed.data);
      this.report('inject', record);
      return record;
    } catch (e) {
      this.report('inject', record, e);
      await this.heal(record);
      throw e;
    }
  }

  /** Heals one fault (safe to repeat) and strikes it from the ledger. */
  async heal(record: FaultRecord): Promise<void> {
    try {
      await faultOfType(record.type).heal(this.ctx, record.targets, record.options);
      await this.ledger.remove(record.id);
      this.report('heal', record);
    } catch (e) {
      this.report('heal', record, e);
      throw e;
    }
  }

  /**
   * Heals every fault in the ledger — also those a crashed process left — then makes sure nothing
   * is left at all (healEverything). Returns the faults it healed.
   */
  async healAll(): Promise<FaultRecord[]> {
    const records = await this.ledger.list();
    const failures: unknown[] = [];
    for (const record of records) await this.heal(record).catch((e: unknown) => failures.push(e));
    await healEverything(this.ctx);
    for (const record of records) await this.ledger.remove(record.id);
    if (failures.length)
      throw new AggregateError(failures, `${failures.length} heal(s) failed; see the cluster`);
    return records;
  }

  list(): Promise<FaultRecord[]> {
    return this.ledger.list();
  }

  private report(phase: FaultEvent['phase'], fault: FaultRecord, error?: unknown): void {
    this.onEvent({
      at: new Date().toISOString(),
      phase,
      fault,
      ok: error === undefined,
      ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}),
    });
  }
}
