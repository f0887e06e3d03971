import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import { HistoryError } from './history-error.js';
import { readHistory } from './read-history.js';

function failure(text: string): HistoryError {
  try {
    readHistory(text, 'runs/r1/history.json');
  } catch (e) {
    expect(e).to.be.instanceOf(HistoryError);
    return e as HistoryError;
  }
  expect.fail('readHistory should have refused the text');
}

describe('readHistory', () => {
  const history = new HistoryBuilder()
    .lifecycle(10_000, 20_000, 30_000, 40_000)
    .node(0, 'worker-1', 'True')
    .api(0, true)
    .build();

  it('reads back what a run wrote', () => {
    expect(readHistory(JSON.stringify(history))).to.deep.equal(history);
  });

  it('refuses text that is not JSON, naming the file', () => {
    const e = failure('{"apiVersion": ');
    expect(e.code).to.equal('HistoryNotJson');
    expect(e.message).to.match(/^runs\/r1\/history\.json is not JSON: /);
    expect(failure('[1, 2]').code).to.equal('HistoryNotJson');
  });

  it('refuses another apiVersion or kind, saying what it found and what it reads', () => {
    const e = failure(JSON.stringify({ ...history, apiVersion: 'crucible.dev/v2' }));
    expect(e.code).to.equal('UnknownHistoryVersion');
    expect(e.message).to.equal(
      'runs/r1/history.json is not a history this crucible reads: it says apiVersion "crucible.dev/v2", kind "History"; expected apiVersion "crucible.dev/v1alpha1", kind "History"',
    );
    expect(failure(JSON.stringify({ ...history, kind: 'ClusterState' })).code).to.equal(
      'UnknownHistoryVersion',
    );
  });

  it('lists every missing or mistyped part at once, a missing parent once', () => {
    const broken = {
      ...history,
      metadata: { ...history.metadata, seed: '7', checks: undefined },
      series: undefined,
      durability: { writes: [] },
      events: [{ type: 'note', message: 'no time' }],
    };
    const e = failure(JSON.stringify(broken));
    expect(e.code).to.equal('InvalidHistory');
    expect(e.problems).to.deep.equal([
      'metadata.seed should be a number, not string',
      'metadata.checks is missing',
      'series is missing',
      'durability.finalReads is missing',
      'events[0] has no numeric t',
    ]);
    expect(e.message).to.equal(
      [
        'runs/r1/history.json is not a valid history:',
        '  - metadata.seed should be a number, not string',
        '  - metadata.checks is missing',
        '  - series is missing',
        '  - durability.finalReads is missing',
        '  - events[0] has no numeric t',
      ].join('\n'),
    );
  });
});
