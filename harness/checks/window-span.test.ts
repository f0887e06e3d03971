import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import { CheckError } from './check-error.js';
import { secondInSpan, windowSpan } from './window-span.js';

const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .phase('collect', 60_000, 62_000)
    .fault({ id: 'kill-worker-2' }, 12_000, 30_000)
    .fault({ id: 'pause-worker-1', type: 'node-pause', targets: ['worker-1'] }, 20_000, 38_000);

describe('windowSpan', () => {
  it('spans the whole run from 0 to the end of the last phase', () => {
    expect(windowSpan(run().build(), 'whole-run').span).to.deep.equal([0, 62_000]);
  });

  it('runs before-faults from the recorders’ start to the first injection', () => {
    const history = new HistoryBuilder()
      .phase('steady-state', 0, 2_000)
      .phase('recorders', 2_000, 10_000)
      .fault({ id: 'kill-worker-2' }, 12_000, 30_000)
      .build();
    expect(windowSpan(history, 'before-faults').span).to.deep.equal([2_000, 12_000]);
  });

  it('runs a fault’s window from its injection to its heal', () => {
    expect(windowSpan(run().build(), { during: 'pause-worker-1' })).to.deep.equal({
      span: [20_000, 38_000],
      notes: [],
    });
  });

  it('runs after-heal from the last heal to the end of recovery', () => {
    expect(windowSpan(run().build(), 'after-heal').span).to.deep.equal([38_000, 60_000]);
  });

  it('runs a fault that was never healed to the end of the run, and says so', () => {
    const history = new HistoryBuilder().phase('faults', 0, 50_000).fault({ id: 'cut' }, 5_000).build();
    const { span, notes } = windowSpan(history, { during: 'cut' });
    expect(span).to.deep.equal([5_000, 50_000]);
    expect(notes[0]?.message).to.contain('Fault "cut" was never healed');
  });

  it('refuses a fault the history does not hold, naming those it has', () => {
    expect(() => windowSpan(run().build(), { during: 'kill-worker-3' }))
      .to.throw(CheckError, 'no fault "kill-worker-3"')
      .with.property('code', 'FaultNotFound');
    expect(() => windowSpan(run().build(), { during: 'kill-worker-3' })).to.throw(
      '"kill-worker-2", "pause-worker-1"',
    );
  });

  it('refuses after-heal when nothing was healed', () => {
    const history = new HistoryBuilder().phase('recorders', 0, 10_000).build();
    expect(() => windowSpan(history, 'after-heal')).to.throw(CheckError, 'needs a healed fault');
  });

  it('refuses a window of an unknown form', () => {
    expect(() => windowSpan(run().build(), 'during-faults' as never))
      .to.throw(CheckError)
      .with.property('code', 'InvalidWindow');
  });

  it('puts a load second on the side of a boundary that holds its middle', () => {
    expect(secondInSpan(11_000, [11_400, 20_000])).to.equal(true);
    expect(secondInSpan(11_000, [11_600, 20_000])).to.equal(false);
    expect(secondInSpan(19_000, [11_600, 19_600])).to.equal(true);
    expect(secondInSpan(19_200, [11_600, 19_600])).to.equal(false);
  });
});
