import { expect } from 'chai';
import { pollUntil } from '../support/poll-until.js';
import { GroundTruthRecorder, groundTruthPods, type KubeletPodsAnswer } from './index.js';

/**
 * A kubelet's `/pods` on a containerd cluster (kind, k3d), cut down to what ground truth reads and
 * a little around it, in the shape the real kubelet serves: the PodList's items carry no kind,
 * container IDs are `containerd://…`, times have second precision.
 */
const CONTAINERD_POD_LIST = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: {},
  items: [
    {
      metadata: {
        name: 'echo-7d4b9c-x2x9k',
        namespace: 'shop',
        uid: '5b0c1f2e-1111-4a7b-9c1d-000000000001',
        labels: { app: 'echo' },
      },
      spec: { nodeName: 'kind-worker', containers: [{ name: 'echo', image: 'echo:1' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'echo',
            state: { running: { startedAt: '2025-03-01T10:00:05Z' } },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'Error',
                startedAt: '2025-03-01T09:58:00Z',
                finishedAt: '2025-03-01T10:00:04Z',
                containerID: 'containerd://0a1b2c',
              },
            },
            ready: true,
            restartCount: 1,
            image: 'docker.io/library/echo:1',
            imageID: 'docker.io/library/echo@sha256:abc',
            containerID: 'containerd://9f8e7d6c5b4a',
            started: true,
          },
          {
            name: 'sidecar',
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
            lastState: { terminated: { exitCode: 1, containerID: 'containerd://1234' } },
            ready: false,
            restartCount: 3,
            image: 'sidecar:1',
            imageID: '',
            containerID: 'containerd://1234',
            started: false,
          },
        ],
      },
    },
    {
      metadata: { name: 'coredns-abc', namespace: 'kube-system', uid: 'uid-coredns' },
      spec: { nodeName: 'kind-worker' },
      status: { phase: 'Pending' },
    },
  ],
};

describe('groundTruthPods (a kubelet’s /pods as ground truth)', () => {
  it('reads a containerd cluster’s PodList: pid 0, the container ID, running containers only', () => {
    expect(groundTruthPods(JSON.stringify(CONTAINERD_POD_LIST))).to.deep.equal([
      { namespace: 'kube-system', name: 'coredns-abc', uid: 'uid-coredns', containers: [] },
      {
        namespace: 'shop',
        name: 'echo-7d4b9c-x2x9k',
        uid: '5b0c1f2e-1111-4a7b-9c1d-000000000001',
        containers: [
          {
            name: 'echo',
            pid: 0,
            startedAt: '2025-03-01T10:00:05Z',
            restarts: 1,
            containerId: 'containerd://9f8e7d6c5b4a',
          },
        ],
      },
    ]);
  });

  it('takes the pid from crucible’s process:// container IDs and records no container ID for them', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: {},
      items: [
        {
          metadata: { name: 'web-1', namespace: 'default', uid: 'u1' },
          spec: { nodeName: 'worker-1' },
          status: {
            containerStatuses: [
              {
                name: 'web',
                state: { running: { startedAt: '2025-03-01T10:00:05Z' } },
                ready: true,
                restartCount: 0,
                containerID: 'process://4242',
              },
            ],
          },
        },
      ],
    };
    expect(groundTruthPods(JSON.stringify(list))![0]!.containers).to.deep.equal([
      { name: 'web', pid: 4242, startedAt: '2025-03-01T10:00:05Z', restarts: 0 },
    ]);
  });

  it('refuses what is not a PodList', () => {
    expect(groundTruthPods('not json')).to.equal(undefined);
    expect(groundTruthPods('[]'), 'crucible’s former flat list').to.equal(undefined);
    expect(groundTruthPods(JSON.stringify({ kind: 'Status', code: 503 }))).to.equal(undefined);
    expect(
      groundTruthPods(JSON.stringify({ kind: 'PodList', items: [{ metadata: { name: 'x' } }] })),
    ).to.equal(undefined);
  });
});

describe('GroundTruthRecorder fed a containerd cluster’s PodList', () => {
  it('records its pods with container IDs, and a kubelet that cannot be read as unreachable', async () => {
    const recorder = new GroundTruthRecorder({
      runStartedAt: Date.now(),
      intervalMs: 10,
      workers: [
        { name: 'kind-worker', ip: '', kubeletPort: 0 },
        { name: 'kind-worker2', ip: '', kubeletPort: 0 },
      ],
      readPods: (worker): Promise<KubeletPodsAnswer> =>
        worker.name === 'kind-worker'
          ? Promise.resolve({ status: 200, text: JSON.stringify(CONTAINERD_POD_LIST) })
          : Promise.reject(new Error('connect ETIMEDOUT')),
    });
    recorder.start();
    await pollUntil(() => recorder.samples.length >= 4, 2000, 'two ticks');
    await recorder.stop();
    const [reached, lost] = recorder.samples;
    expect(reached).to.include({ node: 'kind-worker', reachable: true });
    expect(reached!.pods[1]!.containers[0]).to.include({ pid: 0, containerId: 'containerd://9f8e7d6c5b4a' });
    expect(lost).to.deep.include({ node: 'kind-worker2', reachable: false, pods: [] });
    expect(recorder.events).to.deep.equal([]);
  });

  it('records an error event once when a kubelet answers something that is no PodList', async () => {
    const recorder = new GroundTruthRecorder({
      runStartedAt: Date.now(),
      intervalMs: 10,
      workers: [{ name: 'kind-worker', ip: '', kubeletPort: 0 }],
      readPods: () => Promise.resolve({ status: 200, text: '[]' }),
    });
    recorder.start();
    await pollUntil(() => recorder.samples.length >= 3, 2000, 'three ticks');
    await recorder.stop();
    expect(recorder.samples.every((s) => !s.reachable)).to.equal(true);
    expect(recorder.events.map((e) => e.type === 'error' && e.message)).to.deep.equal([
      'kubelet of kind-worker answered /pods with something that is not a PodList',
    ]);
  });
});
