import { expect } from 'chai';
import { type ClusterLayout, SIMULATED_NODES_NODE, planCluster } from './cluster-plan.js';
import { parseClusterSpec } from './cluster-spec.js';

const docker: ClusterLayout = {
  reach: (node) => node,
  bind: () => '0.0.0.0',
  sharedAddress: false,
  workerIp: (n) => `10.213.1.${100 + n}`,
  credentialsDir: () => '/etc/crucible',
  address: (node) => (node === 'etcd-1' ? '10.213.1.11' : '10.213.1.99'),
  apiserverHosts: ['127.0.1.254'],
  dataDir: (m) => `/var/lib/crucible/${m}`,
};

const shared: ClusterLayout = {
  reach: () => '127.0.1.254',
  bind: () => '127.0.1.254',
  sharedAddress: true,
  workerIp: (n) => `127.0.1.${n}`,
  credentialsDir: (node) => `/state/nodes/${node}`,
  dataDir: (m) => `/state/${m}`,
};

const HA = parseClusterSpec(
  [
    'apiVersion: crucible.dev/v1alpha1',
    'kind: Cluster',
    'etcd: {members: 3}',
    'controlPlane: {apiservers: 2, schedulers: 2, controllerManagers: 2}',
    'workers: [{count: 2, labels: {zone: a}, taints: [{key: dedicated, value: db, effect: NoSchedule}]}]',
  ].join('\n'),
  'ha.yaml',
);

const arg = (args: string[], flag: string) =>
  args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);

describe('planCluster', () => {
  it('runs every control-plane link through its own Toxiproxy proxy', () => {
    const plan = planCluster(HA, docker);
    // 2 apiservers × 3 etcd + (2 schedulers + 2 controller-managers + 2 workers) × 2 apiservers
    expect(plan.links).to.have.length(6 + 12);
    expect(new Set(plan.links.map((l) => l.listen)).size, 'one port per link').to.equal(plan.links.length);
    const apiserver1 = plan.members.find((m) => m.name === 'apiserver-1')!;
    const viaEtcd = plan.links
      .filter((l) => l.from === 'apiserver-1')
      .map((l) => `https://toxiproxy:${l.listen.split(':')[1]}`);
    expect(arg(apiserver1.args, '--etcd-servers')).to.equal(viaEtcd.join(','));
    expect(plan.links.find((l) => l.name === 'apiserver-1-to-etcd-2')?.upstream).to.equal('etcd-2:2379');
    const kubelet = plan.members.find((m) => m.name === 'worker-2-kubelet')!;
    const servers = arg(kubelet.args, '--server')!.split(',');
    expect(servers).to.have.length(2);
    const first = plan.links.find((l) => l.name === 'worker-2-to-apiserver-0')!;
    expect(servers[0]).to.equal(`https://toxiproxy:${first.listen.split(':')[1]}`);
    expect(first.upstream).to.equal('apiserver-0:6443');
    const proxy = plan.members.find((m) => m.name === 'worker-2-kube-proxy')!;
    expect(arg(proxy.args, '--server')).to.equal(arg(kubelet.args, '--server'));
  });

  it('groups a worker’s kubelet and kube-proxy into one node and passes its labels and taints', () => {
    const plan = planCluster(HA, docker);
    expect(plan.members.filter((m) => m.node === 'worker-1').map((m) => m.role)).to.deep.equal([
      'kubelet',
      'kube-proxy',
    ]);
    const kubelet = plan.members.find((m) => m.name === 'worker-1-kubelet')!;
    expect(arg(kubelet.args, '--node-ip')).to.equal('10.213.1.101');
    expect(arg(kubelet.args, '--node-labels')).to.equal('zone=a');
    expect(arg(kubelet.args, '--register-with-taints')).to.equal('dedicated=db:NoSchedule');
    expect(arg(kubelet.args, '--token-file')).to.equal('/etc/crucible/kubelet.token');
  });

  it('runs every apiserver as kubeadm does: Node and RBAC authorization, NodeRestriction, and the cluster’s one service account key pair', () => {
    const plan = planCluster(HA, docker);
    const apiservers = plan.members.filter((m) => m.role === 'apiserver');
    expect(apiservers).to.have.length(2);
    for (const a of apiservers) {
      expect(arg(a.args, '--authorization-mode')).to.equal('Node,RBAC');
      expect(arg(a.args, '--enable-admission-plugins')).to.equal('NodeRestriction');
      expect(arg(a.args, '--service-account-issuer')).to.equal(
        'https://kubernetes.default.svc.cluster.local',
      );
      expect(arg(a.args, '--service-account-key-file')).to.equal('/etc/crucible/sa.pub');
      expect(arg(a.args, '--service-account-signing-key-file')).to.equal('/etc/crucible/sa.key');
    }
  });

  it('loads the spec’s images onto every kubelet, each at the folder the layout gives it', () => {
    const image = {
      name: 'example.com/my-api:1.0',
      path: '/home/me/my-api',
      command: ['node', 'server.js'],
      hostDir: '/home/me/my-api',
    };
    const spec = { ...HA, images: [image] };
    const kubelets = (layout: ClusterLayout) =>
      planCluster(spec, layout)
        .members.filter((m) => m.role === 'kubelet')
        .map((m) => arg(m.args, '--image'));
    expect(kubelets(docker)).to.deep.equal([
      'example.com/my-api:1.0=/home/me/my-api:["node","server.js"]',
      'example.com/my-api:1.0=/home/me/my-api:["node","server.js"]',
    ]);
    expect(kubelets({ ...docker, loadedImageDir: () => '/crucible-images/0a1b' })).to.deep.equal([
      'example.com/my-api:1.0=/crucible-images/0a1b:["node","server.js"]',
      'example.com/my-api:1.0=/crucible-images/0a1b:["node","server.js"]',
    ]);
  });

  it('gives every apiserver the spec’s node port range', () => {
    const spec = { ...HA, nodePortRange: '30100-30149' };
    for (const a of planCluster(spec, docker).members.filter((m) => m.role === 'apiserver'))
      expect(arg(a.args, '--service-node-port-range')).to.equal('30100-30149');
  });

  it('confines the pods of a layout that asks for it: a user id range, a directory per worker, the apiserver as pods reach it', () => {
    const plan = planCluster(HA, {
      ...docker,
      podConfinement: { podsDir: (w) => `/pods/${w}`, networkPolicyOwner: 'ha', uidBlock: 3 },
    });
    const kubelet = plan.members.find((m) => m.name === 'worker-2-kubelet')!;
    // Worker 2's own slice of its cluster's block: no other node's pod, of any cluster, has its ids.
    const block = 200_000 + 3 * 256 * 256;
    expect(arg(kubelet.args, '--pod-uid-range')).to.equal(`${block + 256}-${block + 511}`);
    const first = plan.members.find((m) => m.name === 'worker-1-kubelet')!;
    expect(arg(first.args, '--pod-uid-range')).to.equal(`${block}-${block + 255}`);
    const proxy = plan.members.find((m) => m.name === 'worker-2-kube-proxy')!;
    expect(arg(proxy.args, '--enforce-network-policy')).to.equal('ha');
    expect(arg(proxy.args, '--pod-uid-range')).to.equal(`${block + 256}-${block + 511}`);
    expect(arg(proxy.args, '--node-ip')).to.equal(arg(kubelet.args, '--node-ip'));
    // The kubelet tells its own node's kube-proxy each pod's user, on the proxy's health port.
    expect(arg(kubelet.args, '--network-policy-agent')).to.equal(
      `${arg(kubelet.args, '--node-ip')}:${arg(proxy.args, '--healthz-port')}`,
    );
    expect(arg(kubelet.args, '--pods-dir')).to.equal('/pods/worker-2');
    expect(arg(kubelet.args, '--kubernetes-service')).to.equal('apiserver-0:6443');
    const unconfined = planCluster(HA, docker).members.find((m) => m.name === 'worker-2-kubelet')!;
    expect(unconfined.args.some((a) => a.startsWith('--pod-uid-range'))).to.equal(false);
  });

  it('forms one etcd cluster of all members, speaking mutual TLS to its clients and peers', () => {
    const plan = planCluster(HA, docker);
    const etcd = plan.members.filter((m) => m.role === 'etcd');
    expect(etcd.map((m) => m.node)).to.deep.equal(['etcd-0', 'etcd-1', 'etcd-2']);
    for (const m of etcd)
      expect(arg(m.args, '--initial-cluster')).to.equal(
        'etcd-0=https://etcd-0:2380,etcd-1=https://etcd-1:2380,etcd-2=https://etcd-2:2380',
      );
    const args = etcd[1]!.args;
    // A member back from a kill must not depose the leader (the etcd-member-loss scenario).
    expect(arg(args, '--pre-vote')).to.equal('true');
    expect(arg(args, '--listen-client-urls')).to.equal('https://0.0.0.0:2379');
    expect(arg(args, '--advertise-client-urls')).to.equal('https://etcd-1:2379');
    expect(arg(args, '--initial-advertise-peer-urls')).to.equal('https://etcd-1:2380');
    expect(args.filter((a) => /cert|key|trusted-ca/.test(a))).to.deep.equal([
      '--cert-file=/etc/crucible/etcd-server.crt',
      '--key-file=/etc/crucible/etcd-server.key',
      '--client-cert-auth=true',
      '--trusted-ca-file=/etc/crucible/etcd-ca.crt',
      '--peer-cert-file=/etc/crucible/etcd-peer.crt',
      '--peer-key-file=/etc/crucible/etcd-peer.key',
      '--peer-client-cert-auth=true',
      '--peer-trusted-ca-file=/etc/crucible/etcd-ca.crt',
    ]);
    const apiserver = plan.members.find((m) => m.name === 'apiserver-0')!;
    expect(arg(apiserver.args, '--etcd-cafile')).to.equal('/etc/crucible/etcd-ca.crt');
    expect(arg(apiserver.args, '--etcd-certfile')).to.equal('/etc/crucible/apiserver-etcd-client.crt');
    expect(arg(apiserver.args, '--etcd-keyfile')).to.equal('/etc/crucible/apiserver-etcd-client.key');
  });

  it('names in each certificate what its clients dial: Toxiproxy for etcd clients, the member itself for peers', () => {
    const plan = planCluster(HA, docker);
    const of = (node: string) => plan.credentials.find((c) => c.node === node)!;
    expect(of('etcd-1').etcd).to.deep.equal({
      hosts: ['etcd-1', '10.213.1.11', 'localhost', '127.0.0.1', 'toxiproxy'],
      peerHosts: ['etcd-1', '10.213.1.11', 'localhost', '127.0.0.1'],
    });
    expect(of('apiserver-1').apiserver!.hosts).to.have.members([
      'apiserver-1',
      '10.213.1.99',
      'localhost',
      '127.0.0.1',
      'toxiproxy',
      '127.0.1.254',
    ]);
    const onLoopback = planCluster(HA, shared).credentials.find((c) => c.node === 'etcd-2')!;
    expect(onLoopback.etcd!.hosts).to.include('127.0.1.254');
  });

  it('gives each node only what its own members need, and points their flags into its own folder', () => {
    const spec = parseClusterSpec(
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        'workers: [{count: 2}]',
        'controlPlane: {cloudControllerManager: true}',
        'simulatedNodes: {count: 10}',
      ].join('\n'),
      'all.yaml',
    );
    const plan = planCluster(spec, shared);
    const held = Object.fromEntries(
      plan.credentials.map((c) => [
        c.node,
        [
          ...(c.clusterCa ? ['cluster CA'] : []),
          ...c.tokens.map((t) =>
            'kubelet' in t
              ? `kubelet ${t.kubelet}`
              : 'component' in t
                ? t.component
                : 'simulated-nodes agent',
          ),
          ...(c.apiserver ? ['apiserver'] : []),
          ...(c.etcd ? ['etcd'] : []),
        ],
      ]),
    );
    expect(held).to.deep.equal({
      toxiproxy: [],
      'etcd-0': ['etcd'],
      'apiserver-0': ['cluster CA', 'apiserver'],
      'scheduler-0': ['cluster CA', 'scheduler'],
      'controller-manager-0': ['cluster CA', 'controller-manager'],
      'cloud-controller-manager': ['cluster CA', 'controller-manager'],
      'worker-1': ['cluster CA', 'kubelet worker-1', 'kube-proxy'],
      'worker-2': ['cluster CA', 'kubelet worker-2', 'kube-proxy'],
      'simulated-nodes': ['cluster CA', 'simulated-nodes agent'],
    });
    for (const m of plan.members) {
      const paths = m.args.filter((a) => a.includes('/state/nodes/')).map((a) => a.split('=')[1]!);
      expect(paths.length > 0, m.name).to.equal(m.role !== 'toxiproxy');
      for (const path of paths) expect(path, m.name).to.match(new RegExp(`^/state/nodes/${m.node}/[^/]+$`));
    }
    const proxy = plan.members.find((m) => m.name === 'worker-2-kube-proxy')!;
    expect(arg(proxy.args, '--token-file')).to.equal('/state/nodes/worker-2/kube-proxy.token');
  });

  it('gives members sharing one address ports of their own', () => {
    const plan = planCluster(HA, shared);
    const etcd = plan.members.filter((m) => m.role === 'etcd');
    expect(etcd.map((m) => arg(m.args, '--listen-client-urls'))).to.deep.equal([
      'https://127.0.1.254:2379',
      'https://127.0.1.254:2381',
      'https://127.0.1.254:2383',
    ]);
    expect(plan.apiserverPorts).to.deep.equal([6443, 6444]);
    const ports = [
      ...etcd.flatMap((m) => [arg(m.args, '--listen-client-urls'), arg(m.args, '--listen-peer-urls')]),
      ...plan.apiserverPorts.map((p) => `:${p}`),
      ...plan.links.map((l) => l.listen),
    ].map((u) => u!.split(':').pop());
    expect(new Set(ports).size, 'no two listeners on one port').to.equal(ports.length);
  });

  it('runs the bundled Toxiproxy, or the real toxiproxy-server with its own flags when there is one', () => {
    expect(planCluster(HA, docker).members[0]).to.deep.include({
      program: 'crucible',
      args: ['toxiproxy', '--host=0.0.0.0', '--port=8474'],
    });
    expect(planCluster(HA, { ...shared, realToxiproxy: true }).members[0]).to.deep.include({
      program: 'toxiproxy-server',
      args: ['-host', '127.0.1.254', '-port', '8474'],
    });
  });

  it('appends each component’s extra flags (a deliberately broken cluster)', () => {
    const spec = parseClusterSpec(
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        'workers: [{count: 1}]',
        "extraArgs: {apiserver: ['--authorization-mode=AlwaysAllow'], controller-manager: ['--controllers=*,-nodelifecycle']}",
      ].join('\n'),
      'broken.yaml',
    );
    const plan = planCluster(spec, docker);
    expect(plan.members.find((m) => m.role === 'apiserver')!.args.at(-1)).to.equal(
      '--authorization-mode=AlwaysAllow',
    );
    expect(plan.members.find((m) => m.role === 'controller-manager')!.args.at(-1)).to.equal(
      '--controllers=*,-nodelifecycle',
    );
    expect(
      plan.members.find((m) => m.role === 'scheduler')!.args.some((a) => a.startsWith('--controllers')),
    ).to.equal(false);
  });

  it('runs the simulated nodes as one kubelet of their own, through Toxiproxy, with a token of its own', () => {
    const spec = parseClusterSpec(
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        'workers: [{count: 1}]',
        'timing: kubernetes',
        'simulatedNodes: {count: 1000, prefix: kw-, capacity: {cpu: "32"}, labels: {zone: b}}',
      ].join('\n'),
      'sim.yaml',
    );
    const plan = planCluster(spec, docker);
    const simulated = plan.members.filter((m) => m.node === SIMULATED_NODES_NODE);
    expect(simulated.map((m) => [m.role, m.name, m.program])).to.deep.equal([
      ['simulated-nodes', 'simulated-nodes', 'orchestrator'],
    ]);
    const args = simulated[0]!.args;
    expect(args[0]).to.equal('kubelet');
    expect(arg(args, '--simulated-nodes')).to.equal('1000');
    expect(arg(args, '--node-name-prefix')).to.equal('kw-');
    expect(arg(args, '--capacity')).to.equal('cpu=32,memory=8Gi,pods=110');
    expect(arg(args, '--node-labels')).to.equal('zone=b');
    expect(arg(args, '--register-with-taints')).to.equal('crucible.dev/simulated=true:NoSchedule');
    expect(arg(args, '--profile')).to.equal('kubernetes');
    expect(arg(args, '--token-file')).to.equal('/etc/crucible/simulated-nodes.token');
    const link = plan.links.find((l) => l.name === 'simulated-nodes-to-apiserver-0')!;
    expect(arg(args, '--server')).to.equal(`https://toxiproxy:${link.listen.split(':')[1]}`);
    expect(plan.credentials.find((c) => c.node === SIMULATED_NODES_NODE)!.tokens).to.deep.equal([
      { simulatedNodes: true },
    ]);
    expect(
      plan.workers.map((w) => w.name),
      'simulated nodes are no workers',
    ).to.deep.equal(['worker-1']);
  });

  it('runs no simulated nodes for a count of 0', () => {
    const spec = parseClusterSpec(
      'apiVersion: crucible.dev/v1alpha1\nkind: Cluster\nsimulatedNodes: {count: 0}\n',
      'none.yaml',
    );
    const plan = planCluster(spec, docker);
    expect(plan.members.some((m) => m.role === 'simulated-nodes')).to.equal(false);
    expect(plan.credentials.some((c) => c.node === SIMULATED_NODES_NODE)).to.equal(false);
  });

  it('runs a cloud-controller-manager only when asked, with the layout’s provider flags', () => {
    expect(planCluster(HA, docker).members.some((m) => m.role === 'cloud-controller-manager')).to.equal(
      false,
    );
    const spec = parseClusterSpec(
      'apiVersion: crucible.dev/v1alpha1\nkind: Cluster\ncontrolPlane: {cloudControllerManager: true}\n',
      'ccm.yaml',
    );
    const plan = planCluster(spec, { ...docker, cloudProviderArgs: ['--cloud-provider=docker'] });
    const ccm = plan.members.find((m) => m.role === 'cloud-controller-manager')!;
    expect(ccm.node).to.equal('cloud-controller-manager');
    expect(ccm.args[0]).to.equal('cloud-controller-manager');
    expect(arg(ccm.args, '--cloud-provider')).to.equal('docker');
    expect(arg(ccm.args, '--token-file')).to.equal('/etc/crucible/controller-manager.token');
    const link = plan.links.find((l) => l.name === 'cloud-controller-manager-to-apiserver-0')!;
    expect(arg(ccm.args, '--server')).to.equal(`https://toxiproxy:${link.listen.split(':')[1]}`);
  });
});
