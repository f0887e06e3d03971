import { expect } from 'chai';
import { HistoryBuilder, type PodInput } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'survivors keep running',
  type: 'no-restarts',
  window: { during: 'pause-worker-2' },
  thresholds: {},
  ...over,
});

const echo = (pid: number, restarts = 0): PodInput => ({
  name: 'echo-abc',
  uid: 'uid-echo-abc',
  containers: [{ name: 'echo', pid, restarts }],
});
const db = (pid: number): PodInput => ({
  namespace: 'tenant-b',
  name: 'db-0',
  uid: 'uid-db-0',
  containers: [{ name: 'db', pid }],
});

// worker-2 is paused from 10 s to 40 s; the kubelets are sampled every 10 s.
const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'pause-worker-2', type: 'node-pause', targets: ['worker-2'] }, 10_000, 40_000);

describe('noRestartsCheck', () => {
  it('passes when every container keeps its pid, start time and restart count', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [echo(101)])
      .kubelet(10_000, 'worker-2', [db(201)])
      .kubelet(20_000, 'worker-1', [echo(101)])
      .kubelet(20_000, 'worker-2', 'unreachable')
      .kubelet(30_000, 'worker-1', [echo(101)])
      .kubelet(30_000, 'worker-2', [db(201)])
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 0,
      unit: 'container restarts',
      threshold: 'no container restarts',
      summary: 'None of the 2 containers on 2 nodes restarted while worker-2 was paused.',
    });
  });

  it('fails when a container’s pid changed, naming the container, its node and when', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [echo(101)])
      .kubelet(20_000, 'worker-1', [echo(101)])
      .kubelet(30_000, 'worker-1', [echo(345)])
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: 1 });
    expect(verdict!.summary).to.equal(
      '1 container restart was seen while worker-2 was paused, in 1 of 1 container (default/echo-abc/echo on worker-1); none was allowed.',
    );
    expect(verdict!.evidence[0]!.t).to.equal(30_000);
    expect(verdict!.evidence[0]!.message).to.match(
      /^Container echo of pod default\/echo-abc on worker-1 restarted between 20 s and 30 s: pid 101 → 345, started at .* → .*\.$/,
    );
  });

  it('counts each restart the kubelet counted, and allows up to maxRestarts', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [echo(101, 0)])
      .kubelet(20_000, 'worker-1', [echo(102, 2)])
      .build();
    expect(judge(history, [spec()])[0]).to.include({ outcome: 'fail', measured: 2 });
    const [allowed] = judge(history, [spec({ thresholds: { maxRestarts: 2 } })]);
    expect(allowed).to.include({ outcome: 'pass', measured: 2, threshold: 'at most 2 container restarts' });
    expect(allowed!.summary).to.equal(
      '2 container restarts were seen while worker-2 was paused, in 1 of 1 container, within the 2 allowed.',
    );
  });

  it('does not count a pod replaced by a new one (a new uid)', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [echo(101)])
      .kubelet(20_000, 'worker-1', [{ ...echo(400), uid: 'uid-echo-def', name: 'echo-def' }])
      .build();
    expect(judge(history, [spec()])[0]!.outcome).to.equal('pass');
  });

  it('is unknown for a node that never answered in the window, naming it', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [echo(101)])
      .kubelet(10_000, 'worker-2', 'unreachable')
      .kubelet(20_000, 'worker-1', [echo(101)])
      .kubelet(20_000, 'worker-2', 'unreachable')
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.summary).to.contain('worker-2 never answered');
    expect(verdict!.evidence[0]!.message).to.equal(
      'worker-2 was never reachable in the window, so its containers could not be checked.',
    );
  });

  it('still fails when another node could not be checked', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [echo(101)])
      .kubelet(10_000, 'worker-2', 'unreachable')
      .kubelet(20_000, 'worker-1', [echo(102)])
      .build();
    expect(judge(history, [spec()])[0]!.outcome).to.equal('fail');
  });

  it('is unknown without any ground truth in the window', () => {
    const history = run()
      .kubelet(50_000, 'worker-1', [echo(101)])
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal('No ground-truth samples between 10 s and 40 s.');
  });

  describe('on a runtime other than crucible’s (pid 0, a container ID)', () => {
    const onContainerd = (id: string, startedAt: string, restarts = 0): PodInput => ({
      name: 'echo-abc',
      uid: 'uid-echo-abc',
      containers: [{ name: 'echo', pid: 0, containerId: `containerd://${id}`, startedAt, restarts }],
    });

    it('passes while the container ID and start time stay the same', () => {
      const history = run()
        .kubelet(10_000, 'worker-1', [onContainerd('aaa', '2025-01-01T00:00:01Z')])
        .kubelet(20_000, 'worker-1', [onContainerd('aaa', '2025-01-01T00:00:01Z')])
        .kubelet(30_000, 'worker-1', [onContainerd('aaa', '2025-01-01T00:00:01Z')])
        .build();
      expect(judge(history, [spec()])[0]).to.include({ outcome: 'pass', measured: 0 });
    });

    it('fails when the container ID changed although every pid is 0, naming both IDs', () => {
      const history = run()
        .kubelet(10_000, 'worker-1', [onContainerd('aaa', '2025-01-01T00:00:01Z')])
        .kubelet(20_000, 'worker-1', [onContainerd('bbb', '2025-01-01T00:00:01Z')])
        .build();
      const [verdict] = judge(history, [spec()]);
      expect(verdict).to.include({ outcome: 'fail', measured: 1 });
      expect(verdict!.evidence[0]!.message).to.equal(
        'Container echo of pod default/echo-abc on worker-1 restarted between 10 s and 20 s: container containerd://aaa → containerd://bbb.',
      );
    });

    it('fails when only the start time changed (a runtime that reuses container IDs)', () => {
      const history = run()
        .kubelet(10_000, 'worker-1', [onContainerd('aaa', '2025-01-01T00:00:01Z')])
        .kubelet(20_000, 'worker-1', [onContainerd('aaa', '2025-01-01T00:00:15Z')])
        .build();
      expect(judge(history, [spec()])[0]).to.include({ outcome: 'fail', measured: 1 });
    });
  });
});
