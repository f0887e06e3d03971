import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'scheduler fails over',
  type: 'leader-failover',
  window: { during: 'kill-leader' },
  thresholds: { maxMs: 15_000 },
  select: { component: 'scheduler' },
  ...over,
});

const run = (targets = ['scheduler-0']) =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'kill-leader', type: 'component-kill', targets }, 10_000, 40_000)
    .leader(1_000, 'scheduler', 'scheduler-0')
    .leader(1_500, 'controller-manager', 'controller-manager-1');

describe('leaderFailoverCheck', () => {
  it('passes when another instance leads within the limit, measuring from the injection', () => {
    const [verdict] = judge(run().leader(14_000, 'scheduler', 'scheduler-1').build(), [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 4_000,
      unit: 'ms',
      threshold: 'new leader within 15 s of a fault that hit the leader',
      summary:
        'After scheduler-0 was killed (fault kill-leader at 10 s), scheduler-1 took over as scheduler leader in 4 s.',
    });
    expect(verdict!.evidence[0]).to.deep.equal({
      t: 14_000,
      message: 'scheduler: leader scheduler-0 hit at 10 s, scheduler-1 led from 14 s (4 s).',
    });
  });

  it('recognises a Kubernetes-style holder identity by its node', () => {
    const history = new HistoryBuilder()
      .fault({ id: 'kill-leader', type: 'component-kill', targets: ['scheduler-0'] }, 10_000, 40_000)
      .leader(1_000, 'scheduler', 'scheduler-0_4f2c')
      .leader(12_000, 'scheduler', 'scheduler-1_9a1b')
      .build();
    expect(judge(history, [spec()])[0]).to.include({ outcome: 'pass', measured: 2_000 });
  });

  it('fails when the new leader came later than allowed', () => {
    const [verdict] = judge(run().leader(30_000, 'scheduler', 'scheduler-1').build(), [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: 20_000 });
    expect(verdict!.evidence[0]!.message).to.contain('(20 s, more than the 15 s allowed)');
  });

  it('fails when no other instance took over in the window, naming the old leader', () => {
    const [verdict] = judge(run().leader(45_000, 'scheduler', 'scheduler-1').build(), [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal(
      'scheduler leader scheduler-0 was hit when scheduler-0 was killed (fault kill-leader at 10 s); no other instance took the lease by 40 s.',
    );
  });

  it('passes, saying so, when the fault hit no leader', () => {
    const [verdict] = judge(run(['worker-2']).build(), [spec({ select: {} })]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: null,
      summary: 'When worker-2 was killed, no leader was hit, so no failover was needed.',
    });
    expect(verdict!.evidence.map((e) => e.message)).to.deep.equal([
      'When worker-2 was killed (fault kill-leader at 10 s), the controller-manager leader was controller-manager-1, which the fault did not hit; no failover was needed.',
      'When worker-2 was killed (fault kill-leader at 10 s), the scheduler leader was scheduler-0, which the fault did not hit; no failover was needed.',
    ]);
  });

  it('is unknown when no leader was recorded', () => {
    const history = new HistoryBuilder().fault({ id: 'kill-leader' }, 10_000, 40_000).build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal('The history has no leader events for scheduler.');
  });
});
