import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { startKubelet } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { KubeList, Pod } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;

describe('node proxy: /api/v1/nodes/NAME/proxy/PATH (real apiserver, etcd, kubelet and kubectl)', function () {
  this.timeout(90_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let admin: Kubectl;
  let kubelet: LocalProcess;
  let rootDir: string;
  let kubeletPort: number;

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    admin = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    rootDir = await mkdtemp(join(tmpdir(), 'crucible-node-proxy-'));
    ({ kubelet, kubeletPort } = await startKubelet(cp, client, 'worker-1', rootDir));
    await admin.ok(['create', 'namespace', 'team-a']);
    await admin.ok([
      'create',
      'rolebinding',
      'alice-edit',
      '--clusterrole=edit',
      '--user=alice',
      '-n',
      'team-a',
    ]);
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper', namespace: 'team-a' },
      spec: {
        nodeName: 'worker-1',
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'node', command: ['node', '-e', 'setInterval(() => {}, 1000)'] }],
      },
    } as Pod);
  });

  after(async () => {
    await kubelet?.stop();
    await client?.close();
    await cp?.stop();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it("serves an admin the kubelet's PodList through kubectl get --raw", async () => {
    let list: KubeList<Pod> | undefined;
    await pollUntil(
      async () => {
        list = JSON.parse(
          await admin.ok(['get', '--raw', '/api/v1/nodes/worker-1/proxy/pods']),
        ) as KubeList<Pod>;
        return list.items.some(
          (p) => p.metadata.name === 'sleeper' && p.status?.containerStatuses?.[0]?.state?.running,
        );
      },
      20_000,
      'the kubelet to list sleeper running',
    );
    expect(list!.kind).to.equal('PodList');
    const status = list!.items.find((p) => p.metadata.name === 'sleeper')!.status!.containerStatuses![0]!;
    expect(status.containerID).to.match(/^process:\/\/\d+$/);
    // Any path of the kubelet, with its query: the proxy adds and drops nothing.
    expect(await admin.ok(['get', '--raw', '/api/v1/nodes/worker-1/proxy/healthz'])).to.equal('ok');
    const logs = await cp.request(
      'GET',
      '/api/v1/nodes/worker-1/proxy/containerLogs/team-a/sleeper/main?tailLines=x',
      TEST_TOKENS.admin,
    );
    expect(logs).to.deep.include({ status: 400 });
    expect(logs.body).to.include('tailLines');
  });

  it('refuses a tenant without nodes/proxy with 403', async () => {
    const alice = admin.as(TEST_TOKENS.alice);
    expect((await alice.run(['auth', 'can-i', 'get', 'nodes/proxy'])).stdout.trim()).to.equal('no');
    const denied = await alice.run(['get', '--raw', '/api/v1/nodes/worker-1/proxy/pods']);
    expect(denied.code).to.not.equal(0);
    expect(denied.stderr).to.include(
      'Error from server (Forbidden): nodes "worker-1" is forbidden: User "alice" cannot get resource "nodes/proxy" in API group "" at the cluster scope',
    );
  });

  it('answers 404 for a node that does not exist, 405 for a write', async () => {
    const missing = await admin.run(['get', '--raw', '/api/v1/nodes/nowhere/proxy/pods']);
    expect(missing.stderr).to.include('Error from server (NotFound): nodes "nowhere" not found');
    const post = await cp.request('POST', '/api/v1/nodes/worker-1/proxy/pods', TEST_TOKENS.admin, {});
    expect(post.status).to.equal(405);
  });

  it('answers 503 with the reason when the kubelet does not answer', async () => {
    await kubelet.stop();
    const answer = await cp.request('GET', '/api/v1/nodes/worker-1/proxy/pods', TEST_TOKENS.admin);
    expect(answer.status).to.equal(503);
    expect(answer.body).to.deep.include({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect(answer.body.message).to.equal(
      `error trying to reach service: dial tcp 127.0.0.1:${kubeletPort}: connect: connection refused`,
    );
    const viaKubectl = await admin.run(['get', '--raw', '/api/v1/nodes/worker-1/proxy/pods']);
    expect(viaKubectl.stderr).to.include('Error from server (ServiceUnavailable)');
  });
});
