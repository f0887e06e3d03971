import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec: CheckSpec = { name: 'writes survive', type: 'durability', window: 'whole-run', thresholds: {} };

const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'etcd-quorum', type: 'etcd-quorum-loss', targets: ['etcd-0', 'etcd-1'] }, 10_000, 40_000)
    .write(5_000, 'k1', 'v1')
    .write(15_000, 'k1', 'v2')
    .write(20_000, 'k2', 'a')
    .write(25_000, 'k2', 'b', false);

describe('durabilityCheck', () => {
  it('passes when every key reads its last acknowledged value, or a later unacknowledged one', () => {
    const history = run().finalRead(55_000, 'k1', 'v2').finalRead(55_000, 'k2', 'b').build();
    const [verdict] = judge(history, [spec]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 0,
      unit: 'writes',
      threshold: 'no acknowledged write lost',
      summary: 'All 3 acknowledged writes made during the run (2 keys) were readable after heal.',
    });
  });

  it('fails when a key lost its last acknowledged write, naming the key and the values', () => {
    const history = run().finalRead(55_000, 'k1', 'v1').finalRead(55_000, 'k2').build();
    const [verdict] = judge(history, [spec]);
    expect(verdict).to.include({ outcome: 'fail', measured: 2 });
    expect(verdict!.summary).to.equal(
      '2 keys of 2 lost their last acknowledged write: the read after heal did not find it (3 acknowledged writes made during the run).',
    );
    expect(verdict!.evidence).to.deep.equal([
      {
        t: 55_000,
        message: 'Key k1 read "v1" at 55 s; the last acknowledged write (at 15 s) was "v2".',
      },
      { t: 55_000, message: 'Key k2 was not found at 55 s; the last acknowledged write (at 20 s) was "a".' },
    ]);
  });

  it('is unknown when a key could not be read back and nothing was lost', () => {
    const history = run()
      .finalRead(55_000, 'k1', 'v2')
      .finalRead(55_000, 'k2', undefined, 'deadline exceeded')
      .build();
    const [verdict] = judge(history, [spec]);
    expect(verdict).to.include({ outcome: 'unknown', measured: 0 });
    expect(verdict!.evidence[0]!.message).to.equal('Reading key k2 back failed: deadline exceeded.');
  });

  it('is unknown when nothing was read back after heal', () => {
    const [verdict] = judge(run().build(), [spec]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal(
      'The history has no final reads (3 acknowledged writes in the window).',
    );
  });

  it('is unknown when given a threshold, since it takes none', () => {
    const history = run().finalRead(55_000, 'k1', 'v2').build();
    const [verdict] = judge(history, [{ ...spec, thresholds: { maxLost: 1 } }]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.contain(
      'unknown threshold "maxLost" (durability takes no thresholds)',
    );
  });
});
