import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'echo heals',
  type: 'self-heal',
  window: { during: 'kill-worker-2' },
  thresholds: { maxMs: 20_000 },
  ...over,
});

// worker-2 is lost from 10 s to 40 s; the workloads are sampled every 5 s.
const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'kill-worker-2', type: 'node-loss', targets: ['worker-2'] }, 10_000, 40_000);

/** echo: 3/3 ready except 1/3 at 15 s and 20 s; web stays 2/2. */
const dipAndRecover = () => {
  const b = run();
  for (let t = 0; t <= 60_000; t += 5_000) {
    b.workload(t, 'echo', 3, t === 15_000 || t === 20_000 ? 1 : 3).workload(t, 'web', 2, 2, 2, 'shop');
  }
  return b;
};

describe('selfHealCheck', () => {
  it('passes when every workload is ready again within the limit, measuring from the injection', () => {
    const [verdict] = judge(dipAndRecover().build(), [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 15_000,
      unit: 'ms',
      threshold: 'every workload ready again within 20 s of the fault',
      summary: 'Every workload was ready again 15 s after worker-2 was lost at 10 s.',
    });
    expect(verdict!.evidence).to.deep.equal([
      {
        t: 15_000,
        message: 'default/echo fell to 1 of 3 ready replicas at 15 s and was ready again at 25 s.',
      },
    ]);
  });

  it('fails when healing took longer than allowed', () => {
    const [verdict] = judge(dipAndRecover().build(), [spec({ thresholds: { maxMs: 10_000 } })]);
    expect(verdict).to.include({ outcome: 'fail', measured: 15_000 });
    expect(verdict!.summary).to.contain('later than the 10 s allowed');
    expect(verdict!.evidence[0]!.message).to.contain('default/echo fell to 1 of 3');
  });

  it('fails when a workload is still short at the window’s end, with its last sample', () => {
    const b = run();
    for (let t = 0; t <= 60_000; t += 5_000) b.workload(t, 'echo', 3, t < 15_000 ? 3 : 2);
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: null });
    expect(verdict!.summary).to.equal(
      'After worker-2 was lost at 10 s, default/echo was still short of ready replicas when the window ended at 40 s.',
    );
    expect(verdict!.evidence[0]).to.deep.equal({
      t: 40_000,
      message: 'At 40 s (its last sample), default/echo had 2 of 3 replicas ready.',
    });
  });

  it('measures 0 when every workload stayed ready', () => {
    const b = run();
    for (let t = 0; t <= 60_000; t += 5_000) b.workload(t, 'echo', 3, 3);
    expect(judge(b.build(), [spec()])[0]).to.include({ outcome: 'pass', measured: 0 });
  });

  it('takes the first fault in a window that does not name one', () => {
    const [verdict] = judge(dipAndRecover().build(), [spec({ window: 'whole-run' })]);
    expect(verdict).to.include({ outcome: 'pass', measured: 15_000 });
  });

  it('only looks at the selected workloads', () => {
    const [verdict] = judge(dipAndRecover().build(), [spec({ select: { namespace: 'shop' } })]);
    expect(verdict).to.include({ outcome: 'pass', measured: 0 });
  });

  it('is unknown when no fault was injected in the window', () => {
    const [verdict] = judge(dipAndRecover().build(), [spec({ window: 'before-faults' })]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal('No fault-inject event between 0 s and 10 s.');
  });

  it('is unknown when the selected workload was never sampled', () => {
    const [verdict] = judge(dipAndRecover().build(), [spec({ select: { workload: 'cart' } })]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.equal('No samples of workload cart between 10 s and 40 s.');
  });

  it('sees through a stale API: pods the API calls ready but whose kubelet is gone do not count', () => {
    // The API keeps calling echo 2/2 ready (no node lifecycle controller to say otherwise), but
    // worker-2, which ran one of the pods, stops answering at 10 s and never runs it again.
    const b = run();
    const pod = (name: string, pid: number) => ({ name, uid: name, containers: [{ name: 'echo', pid }] });
    for (let t = 0; t <= 60_000; t += 5_000) {
      b.workload(t, 'echo', 2, 2);
      b.kubelet(t, 'worker-1', [pod('echo-abc-1', 10)]);
      b.kubelet(t, 'worker-2', t < 10_000 ? [pod('echo-abc-2', 20)] : 'unreachable');
    }
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.evidence.map((e) => e.message)).to.include(
      'At 40 s (its last sample), the API showed default/echo with 2 of 2 replicas ready, but its nodes’ kubelets ran only 1: the API’s view was stale.'.replace(
        /’/g,
        "'",
      ),
    );
  });

  it('takes the API’s word for a workload no kubelet reports, as one on simulated nodes', () => {
    // echo runs on worker-1, which reports it; simulated runs on simulated nodes, which report nothing.
    const b = run();
    for (let t = 0; t <= 60_000; t += 5_000) {
      b.workload(t, 'echo', 1, 1);
      b.workload(t, 'simulated', 1000, t === 15_000 ? 500 : 1000);
      b.kubelet(t, 'worker-1', [{ name: 'echo-abc-1', uid: 'e1', containers: [{ name: 'echo', pid: 10 }] }]);
    }
    const [verdict] = judge(b.build(), [spec()]);
    expect(verdict).to.include({ outcome: 'pass', measured: 10_000 });
  });
});
