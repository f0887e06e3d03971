import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultRef } from '../history/index.js';

/** A fault in force, as the ledger keeps it: the fault and when it was injected (ISO time). */
export type LedgerEntry = FaultRef & { injectedAt: string };

/**
 * The faults in force on a cluster, on disk in its state folder (faults.json). A fault is written
 * here before it acts and removed once healed, so whatever process comes next — `crucible fault
 * heal`, the next run — can heal what a crash left.
 */
export class FaultLedger {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'faults.json');
  }

  async list(): Promise<LedgerEntry[]> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as LedgerEntry[];
    } catch {
      return [];
    }
  }

  async add(entry: LedgerEntry): Promise<void> {
    await this.write([...(await this.list()), entry]);
  }

  async remove(id: string): Promise<void> {
    await this.write((await this.list()).filter((r) => r.id !== id));
  }

  private async write(entries: LedgerEntry[]): Promise<void> {
    await writeFile(`${this.file}.tmp`, JSON.stringify(entries, null, 2));
    await rename(`${this.file}.tmp`, this.file);
  }
}
