import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterDir } from '../cluster/cluster-state.js';
import type { FaultRecord } from './fault.js';

/**
 * The faults in force on a cluster, on disk beside its state (faults.json). A fault is written
 * here before it acts and removed once healed, so whatever process comes next — `crucible fault
 * heal`, the next run — can heal what a crash left.
 */
export class FaultLedger {
  private readonly file: string;

  constructor(cluster: string) {
    this.file = join(clusterDir(cluster), 'faults.json');
  }

  async list(): Promise<FaultRecord[]> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as FaultRecord[];
    } catch {
      return [];
    }
  }

  async add(record: FaultRecord): Promise<void> {
    await this.write([...(await this.list()), record]);
  }

  async remove(id: string): Promise<void> {
    await this.write((await this.list()).filter((r) => r.id !== id));
  }

  private async write(records: FaultRecord[]): Promise<void> {
    await writeFile(`${this.file}.tmp`, JSON.stringify(records, null, 2));
    await rename(`${this.file}.tmp`, this.file);
  }
}
