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
      unit: 'acknowledged writes lost',
      threshold: 'no acknowledged write lost',
      summary:
        '0 of 2 acknowledged writes (the last to each key; 1 earlier one overwritten) lost: each one made during the run read back after heal.',
    });
  });

  it('fails when a key lost its last acknowledged write, naming the key and the values', () => {
    const history = run().finalRead(55_000, 'k1', 'v1').finalRead(55_000, 'k2').build();
    const [verdict] = judge(history, [spec]);
    expect(verdict).to.include({ outcome: 'fail', measured: 2 });
    expect(verdict!.summary).to.equal(
      '2 of 2 acknowledged writes (the last to each key; 1 earlier one overwritten) lost: made during the run, the read after heal did not find them.',
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
    expect(verdict!.summary).to.equal(
      'Durability could not be fully judged: 1 of 2 acknowledged writes (the last to each key; 1 earlier one overwritten) could not be read back after heal, and none of the others was lost.',
    );
  });

  it('counts one write per key as the writer makes them: "0 of N acknowledged writes lost"', () => {
    const history = new HistoryBuilder()
      .lifecycle(10_000, 40_000, 41_000, 60_000)
      .fault({ id: 'etcd-quorum', type: 'etcd-quorum-loss', targets: ['etcd-0', 'etcd-1'] }, 10_000, 40_000)
      .write(5_000, 'w-1', '1')
      .write(5_500, 'w-2', '2')
      .write(6_000, 'w-3', '3', false)
      .finalRead(55_000, 'w-1', '1')
      .finalRead(55_000, 'w-2', '2')
      .build();
    const [verdict] = judge(history, [spec]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 0,
      summary: '0 of 2 acknowledged writes lost: each one made during the run read back after heal.',
    });
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
