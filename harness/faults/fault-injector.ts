import { randomBytes } from 'node:crypto';
import type { FaultEvent, FaultRef } from '../history/index.js';
import type { FaultContext } from './fault.js';
import { faultOfType } from './fault-catalogue.js';
import { FaultError } from './fault-error.js';
import { FaultLedger, type LedgerEntry } from './fault-ledger.js';
import { healEverything } from './heal-everything.js';

/** Where the injector reports each inject and heal: the run's history, or the CLI's output. */
export interface FaultJournal {
  /** The time of an event, in the journal's own terms (ms since the run started, for a history). */
  now(): number;
  record(event: FaultEvent): void;
}

/** Names the injector takes from a schedule: the scenario's id of the fault and its tenant. */
export interface FaultNaming {
  id?: string;
  tenant?: string;
}

const NO_JOURNAL: FaultJournal = { now: () => Date.now(), record: () => undefined };

/**
 * Injects and heals faults on one cluster, Jepsen's contract: every fault is written down before
 * it acts; a failed inject is healed at once; heal is idempotent; each inject and heal, whether it
 * worked or not, goes to the journal as one FaultEvent.
 */
export class FaultInjector {
  private readonly ledger: FaultLedger;

  constructor(
    private readonly ctx: FaultContext,
    private readonly journal: FaultJournal = NO_JOURNAL,
  ) {
    this.ledger = new FaultLedger(ctx.cluster.stateDir);
  }

  /** Validates the options (every problem listed), resolves the targets, records the fault and injects it. */
  async inject(
    type: string,
    target: string,
    options: Record<string, unknown> = {},
    naming: FaultNaming = {},
  ): Promise<FaultRef> {
    const fault: FaultRef = {
      id: naming.id ?? `${type}-${randomBytes(3).toString('hex')}`,
      type,
      targets: [],
      ...(naming.tenant ? { tenant: naming.tenant } : {}),
    };
    let injecting = false;
    try {
      const plugin = faultOfType(type);
      const parsed = plugin.options.safeParse(options);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
        throw new FaultError('InvalidFaultOptions', `${type}: ${problems.join('; ')}`, problems);
      }
      fault.options = parsed.data;
      const targetProblem = plugin.targetProblem?.(target, parsed.data);
      if (targetProblem) throw new FaultError('NoSuchTarget', `${type}: ${targetProblem}`);
      fault.targets = await plugin.targets(this.ctx, target, parsed.data);
      await this.ledger.add({ ...fault, injectedAt: new Date().toISOString() });
      injecting = true;
      await plugin.inject(this.ctx, fault.targets, parsed.data);
      this.report('fault-inject', fault);
      return fault;
    } catch (e) {
      this.report('fault-inject', fault, e);
      // It may have acted in part: heal it now, as Jepsen's nemesis would.
      if (injecting) await this.heal(fault, `healed at once after the failed inject`).catch(() => undefined);
      throw e;
    }
  }

  /** Heals one fault (safe to repeat) and strikes it from the ledger. */
  async heal(fault: FaultRef, verifiedBy = `${fault.type} heal returned`): Promise<void> {
    try {
      await faultOfType(fault.type).heal(this.ctx, fault.targets, fault.options ?? {});
      await this.ledger.remove(fault.id);
      this.report('fault-heal', fault, undefined, verifiedBy);
    } catch (e) {
      this.report('fault-heal', fault, e, 'heal failed');
      throw e;
    }
  }

  /**
   * Heals every fault in the ledger — also those a crashed process left — then makes sure nothing
   * is left at all (healEverything). Returns the faults it healed.
   */
  async healAll(): Promise<FaultRef[]> {
    const entries = await this.ledger.list();
    const failures: unknown[] = [];
    for (const { injectedAt: _, ...fault } of entries)
      await this.heal(fault, 'final heal of the run').catch((e: unknown) => failures.push(e));
    await healEverything(this.ctx);
    for (const entry of entries) await this.ledger.remove(entry.id);
    if (failures.length)
      throw new FaultError(
        'HealFailed',
        `${failures.length} heal(s) failed (${failures.map((e) => (e as Error).message).join('; ')}); see the cluster`,
      );
    return entries;
  }

  /** The faults in force, as the ledger has them. */
  list(): Promise<LedgerEntry[]> {
    return this.ledger.list();
  }

  private report(type: FaultEvent['type'], fault: FaultRef, error?: unknown, verifiedBy = ''): void {
    const outcome = {
      ok: error === undefined,
      ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}),
    };
    const t = this.journal.now();
    this.journal.record(
      type === 'fault-inject'
        ? { t, type, fault: { ...fault }, ...outcome }
        : { t, type, fault: { ...fault }, verifiedBy, ...outcome },
    );
  }
}
