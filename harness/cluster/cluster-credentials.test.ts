import { expect } from 'chai';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCredentialsDir, writeClusterCredentials } from './cluster-credentials.js';
import { type ClusterLayout, planCluster } from './cluster-plan.js';
import { parseClusterSpec } from './cluster-spec.js';

describe('writeClusterCredentials', function () {
  this.timeout(30_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-credentials-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('gives each node a folder of only its own credentials, keys and tokens readable by their owner only', async () => {
    const spec = parseClusterSpec(
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        'workers: [{count: 2}]',
        'controlPlane: {cloudControllerManager: true}',
        'simulatedNodes: {count: 10}',
        'users: [tenant-a]',
      ].join('\n'),
      'all.yaml',
    );
    const layout: ClusterLayout = {
      reach: () => '127.0.1.254',
      bind: () => '127.0.1.254',
      sharedAddress: true,
      workerIp: (n) => `127.0.1.${n}`,
      credentialsDir: (node) => nodeCredentialsDir(dir, node),
      dataDir: (m) => join(dir, m),
    };
    const plan = planCluster(spec, layout);
    const issued = await writeClusterCredentials(dir, plan.credentials, spec.users);

    expect(await readdir(dir), 'nothing beside the nodes’ folders').to.deep.equal(['nodes']);
    const listing: Record<string, string[]> = {};
    for (const node of await readdir(join(dir, 'nodes'))) {
      const folder = nodeCredentialsDir(dir, node);
      expect(((await stat(folder)).mode & 0o777).toString(8), `${node}'s folder: root's alone`).to.equal(
        '700',
      );
      listing[node] = [];
      for (const file of (await readdir(folder)).sort()) {
        const mode = ((await stat(join(folder, file))).mode & 0o777).toString(8);
        listing[node].push(`${file} ${mode}`);
      }
    }
    expect(listing).to.deep.equal({
      toxiproxy: [],
      'etcd-0': [
        'etcd-ca.crt 644',
        'etcd-peer.crt 644',
        'etcd-peer.key 600',
        'etcd-server.crt 644',
        'etcd-server.key 600',
      ],
      'apiserver-0': [
        'apiserver-etcd-client.crt 644',
        'apiserver-etcd-client.key 600',
        'apiserver.crt 644',
        'apiserver.key 600',
        'ca.crt 644',
        'etcd-ca.crt 644',
        'sa.key 600',
        'sa.pub 644',
        'tokens.csv 600',
      ],
      'scheduler-0': ['ca.crt 644', 'scheduler.token 600'],
      'controller-manager-0': ['ca.crt 644', 'controller-manager.token 600'],
      'cloud-controller-manager': ['ca.crt 644', 'controller-manager.token 600'],
      'worker-1': ['ca.crt 644', 'kube-proxy.token 600', 'kubelet.token 600'],
      'worker-2': ['ca.crt 644', 'kube-proxy.token 600', 'kubelet.token 600'],
      'simulated-nodes': ['ca.crt 644', 'simulated-nodes.token 600'],
    });

    const read = (node: string, file: string) => readFile(join(nodeCredentialsDir(dir, node), file), 'utf8');
    const { tokens } = issued;
    expect((await read('worker-2', 'kubelet.token')).trim()).to.equal(tokens.kubelets['worker-2']);
    expect((await read('worker-2', 'kube-proxy.token')).trim()).to.equal(tokens.kubeProxy);
    expect((await read('simulated-nodes', 'simulated-nodes.token')).trim()).to.equal(tokens.simulatedNodes);
    const tokenFile = await read('apiserver-0', 'tokens.csv');
    expect(
      tokenFile
        .trim()
        .split('\n')
        .map((l) => l.split(',')[1]),
    ).to.deep.equal([
      'admin',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:kube-proxy',
      'system:node:worker-1',
      'system:node:worker-2',
      'crucible:simulated-nodes',
      'tenant-a',
    ]);
    expect(tokenFile)
      .to.include(`${tokens.admin},admin,`)
      .and.include(`${tokens.users['tenant-a']},tenant-a,`);

    // Two CAs: the cluster's signs the apiserver, etcd's signs etcd's members and its one client.
    const clusterCa = new X509Certificate(issued.caPem);
    const etcdCa = new X509Certificate(await read('etcd-0', 'etcd-ca.crt'));
    expect(await read('apiserver-0', 'ca.crt')).to.equal(issued.caPem);
    expect(etcdCa.subject).to.not.equal(clusterCa.subject);
    const cert = async (node: string, file: string) => new X509Certificate(await read(node, file));
    expect((await cert('apiserver-0', 'apiserver.crt')).checkIssued(clusterCa)).to.equal(true);
    for (const [node, file] of [
      ['etcd-0', 'etcd-server.crt'],
      ['etcd-0', 'etcd-peer.crt'],
      ['apiserver-0', 'apiserver-etcd-client.crt'],
    ] as const) {
      const x509 = await cert(node, file);
      expect(x509.checkIssued(etcdCa), file).to.equal(true);
      expect(x509.checkIssued(clusterCa), file).to.equal(false);
    }
    expect((await cert('etcd-0', 'etcd-server.crt')).subjectAltName).to.include('IP Address:127.0.1.254');
    // Each key is the one its certificate carries.
    for (const [node, pair] of [
      ['etcd-0', 'etcd-server'],
      ['etcd-0', 'etcd-peer'],
      ['apiserver-0', 'apiserver'],
      ['apiserver-0', 'apiserver-etcd-client'],
    ] as const) {
      const key = createPrivateKey(await read(node, `${pair}.key`));
      expect((await cert(node, `${pair}.crt`)).checkPrivateKey(key), pair).to.equal(true);
    }
  });
});
