import { expect } from 'chai';
import { HistoryBuilder, type PodInput } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'one web-1 at a time',
  type: 'no-duplicate-identity',
  window: { during: 'partition-worker-2' },
  thresholds: {},
  ...over,
});

/** Pod `name` of the StatefulSet web in namespace shop, instance `uid`, its container at `pid`. */
const web = (name: string, uid: string, pid: number): PodInput => ({
  namespace: 'shop',
  name,
  uid,
  containers: [{ name: 'web', pid }],
});

// worker-2 is partitioned from 10 s to 40 s; the kubelets are sampled every 10 s.
const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'partition-worker-2', type: 'node-partition', targets: ['worker-2'] }, 10_000, 40_000);

describe('noDuplicateIdentityCheck', () => {
  it('passes when a pod made again under its name starts only after the first is gone', () => {
    const history = run()
      .kubelet(10_000, 'worker-1', [web('web-0', 'a', 101)])
      .kubelet(10_000, 'worker-2', [web('web-1', 'b', 201)])
      .kubelet(20_000, 'worker-1', [web('web-0', 'a', 101)])
      .kubelet(20_000, 'worker-2', [])
      .kubelet(30_000, 'worker-1', [web('web-0', 'a', 101), web('web-1', 'c', 102)])
      .kubelet(30_000, 'worker-2', [])
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 0,
      unit: 'identities run twice',
      summary:
        'Each of 2 pod identities ran at most once at a time while worker-2 was partitioned from the cluster, over 6 kubelet samples.',
    });
  });

  it('fails when one identity runs on two nodes at one moment, naming both instances and when', () => {
    const history = run()
      .kubelet(10_000, 'worker-2', [web('web-1', 'b', 201)])
      .kubelet(20_000, 'worker-1', [web('web-1', 'c', 102)])
      .kubelet(20_000, 'worker-2', [web('web-1', 'b', 201)])
      .kubelet(30_000, 'worker-1', [web('web-1', 'c', 102)])
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: 1 });
    expect(verdict!.summary).to.equal(
      "1 pod identity ran twice at once while worker-2 was partitioned from the cluster (shop/web-1), on the kubelets' own word.",
    );
    expect(verdict!.evidence.map((e) => e.message)).to.deep.equal([
      'At 20 s, shop/web-1 ran 2 times at once: uid b on worker-2 (pid 201) and uid c on worker-1 (pid 102).',
    ]);
  });

  it('takes no word from an unreachable kubelet, and selects by namespace and name', () => {
    const history = run()
      .kubelet(10_000, 'worker-2', [web('web-1', 'b', 201)])
      .kubelet(20_000, 'worker-2', 'unreachable')
      .kubelet(20_000, 'worker-1', [web('web-1', 'c', 102), { ...web('other-1', 'x', 5), namespace: 'else' }])
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'pass', measured: 0 });
    const [onlyOthers] = judge(history, [spec({ select: { namespace: 'shop', prefix: 'db-' } })]);
    expect(onlyOthers).to.include({ outcome: 'unknown' });
    expect(onlyOthers!.summary).to.include('no selected pod was seen running');
  });

  it('cannot judge a window without a kubelet that answered', () => {
    const history = run().kubelet(20_000, 'worker-2', 'unreachable').build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'unknown' });
    expect(verdict!.summary).to.include('no kubelet answered');
  });
});
