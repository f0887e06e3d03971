import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Pod } from '../../orchestrator/api/types.js';
import type { LocalProcess } from '../cluster/local-process.js';
import { pollUntil } from '../support/poll-until.js';
import { startComponent } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { TEST_TOKENS, TestControlPlane, kubeletToken } from '../../testing/test-control-plane.js';
import { NodeProxyError, nodeProxyPodsReader, readPodsThroughNodeProxy } from './index.js';

const PODS = findResource('', 'v1', 'pods')!;

describe('readPodsThroughNodeProxy (real apiserver, etcd and kubelet)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let admin: ApiClient;
  let alice: ApiClient;
  let kubelet: LocalProcess;
  let rootDir: string;

  const refusal = async (read: Promise<unknown>): Promise<NodeProxyError> => {
    const e = await read.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).to.be.instanceOf(NodeProxyError);
    return e as NodeProxyError;
  };

  before(async () => {
    cp = await TestControlPlane.start();
    admin = adminClient(cp);
    alice = new ApiClient({ servers: [cp.url], token: TEST_TOKENS.alice, caPem: cp.ca.certPem, retries: 0 });
    rootDir = await mkdtemp(join(tmpdir(), 'crucible-node-proxy-pods-'));
    kubelet = await startComponent(
      cp,
      'kubelet',
      'worker-1',
      ['--node-name=worker-1', `--root-dir=${join(rootDir, 'worker-1')}`, '--port=0'],
      kubeletToken('worker-1'),
    );
    await admin.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper', namespace: 'default' },
      spec: {
        nodeName: 'worker-1',
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'node', command: ['node', '-e', 'setInterval(() => {}, 1000)'] }],
      },
    } as Pod);
  });

  after(async () => {
    await kubelet?.stop();
    await alice?.close();
    await admin?.close();
    await cp?.stop();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it("reads the kubelet's running pods as ground truth, with their pid and start time", async () => {
    let pods: Awaited<ReturnType<typeof readPodsThroughNodeProxy>> = [];
    await pollUntil(
      async () => {
        pods = await readPodsThroughNodeProxy(admin, 'worker-1').catch(() => []);
        return pods.some((p) => p.name === 'sleeper' && p.containers.length === 1);
      },
      20_000,
      'sleeper running in the ground truth',
    );
    const sleeper = pods.find((p) => p.name === 'sleeper')!;
    const live = await admin.get<Pod>(PODS, 'default', 'sleeper');
    expect(sleeper).to.include({ namespace: 'default', uid: live.metadata.uid });
    expect(sleeper.containers[0]!.name).to.equal('main');
    expect(sleeper.containers[0]!.pid).to.be.greaterThan(0);
    expect(sleeper.containers[0]!.startedAt).to.match(/Z$/);
    // The recorder's seam answers the same PodList.
    const answer = await nodeProxyPodsReader(admin)(
      { name: 'worker-1', ip: '', kubeletPort: 0 },
      AbortSignal.timeout(5000),
    );
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.text).kind).to.equal('PodList');
  });

  it('says the apiserver refused when the client may not get nodes/proxy (403)', async () => {
    const e = await refusal(readPodsThroughNodeProxy(alice, 'worker-1'));
    expect(e).to.include({ code: 'Forbidden', status: 403, node: 'worker-1' });
    expect(e.message).to.equal(
      'ground truth of node worker-1 is unknown: the apiserver refused its node proxy (HTTP 403: nodes "worker-1" is forbidden: User "alice" cannot get resource "nodes/proxy" in API group "" at the cluster scope)',
    );
    const answer = await nodeProxyPodsReader(alice)(
      { name: 'worker-1', ip: '', kubeletPort: 0 },
      AbortSignal.timeout(5000),
    );
    expect(answer.status).to.equal(403);
    expect(answer.text).to.include('cannot get resource "nodes/proxy"');
  });

  it('says there is no such node (404)', async () => {
    const e = await refusal(readPodsThroughNodeProxy(admin, 'nowhere'));
    expect(e).to.include({ code: 'NodeNotFound', status: 404 });
    expect(e.message).to.include('the apiserver has no such node (HTTP 404: nodes "nowhere" not found)');
  });

  it('says the kubelet could not be reached (503), and the recorder seam rejects as unreachable', async () => {
    await kubelet.stop();
    const e = await refusal(readPodsThroughNodeProxy(admin, 'worker-1'));
    expect(e).to.include({ code: 'KubeletUnreachable', status: 503 });
    expect(e.message).to.match(
      /the apiserver could not reach its kubelet \(HTTP 503: error trying to reach service: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\)$/,
    );
    await refusal(
      nodeProxyPodsReader(admin)({ name: 'worker-1', ip: '', kubeletPort: 0 }, AbortSignal.timeout(5000)),
    );
  });
});
