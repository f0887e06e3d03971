import { expect } from 'chai';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdjsonFollower } from './ndjson-follower.js';

describe('NDJSON follower', () => {
  it('hands over whole lines as another writer appends them, and the unterminated last one at stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-follow-'));
    try {
      const file = join(dir, 'samples.ndjson');
      const lines: string[] = [];
      const follower = new NdjsonFollower(file, (l) => lines.push(l), 20).start();
      await new Promise((r) => setTimeout(r, 50)); // the file does not exist yet: no harm
      await appendFile(file, '{"a":1}\n{"b":');
      await new Promise((r) => setTimeout(r, 80));
      expect(lines).to.deep.equal(['{"a":1}']);
      await appendFile(file, '2}\n{"ü":"é"}\n{"c":3}');
      await follower.stop();
      expect(lines).to.deep.equal(['{"a":1}', '{"b":2}', '{"ü":"é"}', '{"c":3}']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
