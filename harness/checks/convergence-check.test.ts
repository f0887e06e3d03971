import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'cluster converges',
  type: 'convergence',
  window: 'after-heal',
  thresholds: { withinMs: 10_000 },
  ...over,
});

// worker-2 is lost from 10 s to 40 s; after heal (40 s → 60 s) the cluster is sampled every 5 s.
const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'kill-worker-2', type: 'node-loss', targets: ['worker-2'] }, 10_000, 40_000)
    .workload(35_000, 'echo', 3, 2, 2)
    .node(35_000, 'worker-1', 'True')
    .node(35_000, 'worker-2', 'Unknown');

describe('convergenceCheck', () => {
  it('passes when workloads and nodes reach their desired state in time and keep it', () => {
    const b = run();
    for (let t = 45_000; t <= 60_000; t += 5_000)
      b.workload(t, 'echo', 3, 3).node(t, 'worker-1', 'True').node(t, 'worker-2', 'True');
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 5_000,
      summary:
        'After the faults were healed, the 1 workload and 2 nodes reached their desired state within 5 s and held it.',
    });
    expect(verdict!.evidence.map((e) => e.message)).to.deep.equal([
      'At 35 s, default/echo had 2 of 3 replicas ready and 2 pods for 3 desired.',
      'At 35 s, node worker-2 was not Ready (Unknown).',
      'Converged from 45 s to the end of the window.',
    ]);
  });

  it('fails on duplicate pods at the end, naming the workload', () => {
    const b = run();
    for (let t = 45_000; t <= 60_000; t += 5_000)
      b.workload(t, 'echo', 3, 3, 4).node(t, 'worker-1', 'True').node(t, 'worker-2', 'True');
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: null });
    expect(verdict!.summary).to.equal(
      'After the faults were healed, the cluster had not converged when the window ended at 60 s: default/echo had 4 pods for 3 desired (1 too many).',
    );
    expect(verdict!.evidence).to.deep.equal([
      {
        t: 60_000,
        message: 'At 60 s (its last sample), default/echo had 4 pods for 3 desired (1 too many).',
      },
    ]);
  });

  it('fails when a node is not Ready at the end, naming the node', () => {
    const b = run();
    for (let t = 45_000; t <= 60_000; t += 5_000)
      b.workload(t, 'echo', 3, 3)
        .node(t, 'worker-1', 'True')
        .node(t, 'worker-2', t < 60_000 ? 'True' : 'False');
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.evidence[0]!.message).to.equal(
      'At 60 s (its last sample), node worker-2 was not Ready (False).',
    );
  });

  it('fails when convergence came later than allowed', () => {
    const b = run();
    for (let t = 45_000; t <= 60_000; t += 5_000)
      b.workload(t, 'echo', 3, t < 55_000 ? 2 : 3, 3)
        .node(t, 'worker-1', 'True')
        .node(t, 'worker-2', 'True');
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: 15_000 });
    expect(verdict!.summary).to.contain('only after 15 s, later than the 10 s allowed');
    expect(verdict!.evidence[0]!.message).to.equal('At 50 s, default/echo had 2 of 3 replicas ready.');
  });

  it('is unknown when the nodes were not sampled in the window', () => {
    const b = run();
    for (let t = 45_000; t <= 60_000; t += 5_000) b.workload(t, 'echo', 3, 3);
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.equal('The window from 40 s to 60 s has no node samples.');
  });
});
