import { expect } from 'chai';
import type { Pod } from '../../orchestrator/api/types.js';
import { podChanges, podViewOf, type PodView } from './pod-changes.js';

const view = (name: string, rest: Partial<PodView> = {}): PodView => ({
  namespace: 'default',
  name,
  uid: `uid-${name}`,
  ready: false,
  restarts: 0,
  ...rest,
});
const byUid = (...pods: PodView[]) => new Map(pods.map((p) => [p.uid, p]));

describe('podChanges', () => {
  it('reports a pod that appeared already scheduled and ready as created, scheduled and ready', () => {
    expect(podChanges(byUid(), byUid(view('a', { node: 'worker-1', ready: true })), 500)).to.deep.equal([
      { t: 500, type: 'pod', namespace: 'default', name: 'a', node: 'worker-1', change: 'created' },
      { t: 500, type: 'pod', namespace: 'default', name: 'a', node: 'worker-1', change: 'scheduled' },
      { t: 500, type: 'pod', namespace: 'default', name: 'a', node: 'worker-1', change: 'ready' },
    ]);
  });

  it('follows a known pod through scheduling, readiness and restarts', () => {
    const pending = view('a');
    const running = view('a', { node: 'worker-2', ready: true });
    const restarted = view('a', { node: 'worker-2', ready: false, restarts: 1 });
    expect(podChanges(byUid(pending), byUid(running), 1).map((e) => e.change)).to.deep.equal([
      'scheduled',
      'ready',
    ]);
    expect(podChanges(byUid(running), byUid(restarted), 2).map((e) => e.change)).to.deep.equal([
      'not-ready',
      'restarted',
    ]);
    expect(podChanges(byUid(restarted), byUid(restarted), 3)).to.deep.equal([]);
  });

  it('reports a pod gone from the sample as deleted on its last node, and a namesake with a new uid as created', () => {
    const old = view('a', { node: 'worker-2', ready: true });
    const replacement = view('a', { uid: 'uid-a-2' });
    expect(podChanges(byUid(old), byUid(replacement), 7)).to.deep.equal([
      { t: 7, type: 'pod', namespace: 'default', name: 'a', node: 'worker-2', change: 'deleted' },
      { t: 7, type: 'pod', namespace: 'default', name: 'a', change: 'created' },
    ]);
  });
});

describe('podViewOf', () => {
  it('reads the node, the Ready condition and the sum of the restart counts', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'ns', name: 'p', uid: 'u1' },
      spec: { containers: [], nodeName: 'worker-1' },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 2, image: 'x', imageID: 'x' },
          { name: 'b', ready: true, restartCount: 1, image: 'x', imageID: 'x' },
        ],
      },
    } as Pod;
    expect(podViewOf(pod)).to.deep.equal({
      namespace: 'ns',
      name: 'p',
      uid: 'u1',
      node: 'worker-1',
      ready: true,
      restarts: 3,
    });
  });
});
