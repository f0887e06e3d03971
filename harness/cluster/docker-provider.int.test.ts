import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Node } from '../../orchestrator/api/types.js';
import { Kubectl } from '../../testing/kubectl.js';
import { CRUCIBLE_CLI, crucible } from '../../testing/crucible-cli.js';
import { pollUntil } from '../support/poll-until.js';
import { parseClusterSpec } from './cluster-spec.js';
import { adminClient } from './cluster-client.js';
import { clusterDir, readClusterRecord } from './cluster-record.js';
import { openCluster } from './open-cluster.js';
import type { RunningCluster } from './running-cluster.js';
import { dockerClient } from './docker-engine.js';
import { DockerProvider } from './docker-provider.js';
import { dockerEngineAnswers } from './node-image.js';

const ECHO = fileURLToPath(new URL('../../scenarios/manifests/echo.yaml', import.meta.url));

/** What the engine itself lists for the cluster's label: `docker ps -a` and `docker network ls`. */
function dockerLeftovers(name: string): { containers: string[]; networks: string[] } {
  const list = (args: string[], field: string) =>
    execFileSync(
      'docker',
      [...args, '--filter', `label=crucible.dev/cluster=${name}`, '--format', `{{${field}}}`],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter(Boolean);
  return { containers: list(['ps', '-a'], '.Names'), networks: list(['network', 'ls'], '.Name') };
}

/**
 * A node script (the node image has node but no shell utilities) that prints each file under
 * /etc/crucible with its mode, then each mount of the cluster's folder into the container.
 */
const LIST_CREDENTIALS = `const fs = require('fs');
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir + '/' + e.name) : [dir + '/' + e.name]);
  for (const file of walk('/etc/crucible').sort())
    console.log(file.slice('/etc/crucible/'.length), (fs.statSync(file).mode & 0o777).toString(8));
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\\n'))
    if (line.includes(process.argv[1])) console.log('mount', line.split(' ')[3], line.split(' ')[4], line.split(' ')[5]);`;

/**
 * A node script that GETs a URL over http or https and prints {status, body} or {error}. Its one
 * argument (JSON) gives the URL and TLS options; a ca, cert or key starting with / is a file of the
 * node, else PEM.
 */
const PROBE = `const { url, ...tls } = JSON.parse(process.argv[1]);
  for (const k of ['ca', 'cert', 'key'])
    if (tls[k] && tls[k].startsWith('/')) tls[k] = require('fs').readFileSync(tls[k], 'utf8');
  const req = require(url.startsWith('https') ? 'https' : 'http').get(url, { ...tls, timeout: 5000 }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body })));
  });
  req.on('timeout', () => req.destroy(new Error('timed out')));
  req.on('error', (e) => console.log(JSON.stringify({ error: e.message })));`;

async function answers(url: string): Promise<boolean> {
  const res = await request(url, { reset: true, headersTimeout: 2000 }).catch(() => undefined);
  await res?.body.dump();
  return res?.statusCode === 200;
}

describe('crucible up/down with the docker provider (real engine, node image, real CLI)', function () {
  this.timeout(240_000);
  let home: string;
  const name = `d${process.pid}`;

  before(async function () {
    if (!(await dockerEngineAnswers())) this.skip();
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    process.env.CRUCIBLE_HOME = home;
  });
  after(async () => {
    if (!home) return;
    await crucible(home, ['down', name]);
    await crucible(home, ['down', `${name}-ha`]);
    delete process.env.CRUCIBLE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  it('boots 3 workers in containers, serves a deployed app from the host through every worker, and down leaves nothing, even with a stranger on its network', async () => {
    const up = await crucible(home, ['up', '--provider', 'docker', '--workers', '3', '--name', name]);
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.include(`cluster "${name}" is up (docker`);
    const cluster = await openCluster(name);
    const state = cluster.record;
    expect(state.provider).to.equal('docker');
    expect(dockerLeftovers(name).containers).to.have.length(1 + 4 + 3);
    expect((await crucible(home, ['ls'])).stdout)
      .to.include(`${name}  provider=docker`)
      .and.include('containers 8/8 running');
    const kubectl = Kubectl.withKubeconfig(cluster.credentials.kubeconfig);
    expect(await kubectl.ok(['get', 'nodes'])).to.match(/worker-3\s+Ready/);
    await kubectl.ok(['apply', '--validate=false', '-f', ECHO]);
    for (const w of state.workers) {
      expect(w.ip).to.match(/^127\.0\.\d+\.\d+$/);
      await pollUntil(() => answers(`http://${w.ip}:30080/`), 30_000, `echo through ${w.ip}:30080`);
    }
    // A container that is not the cluster's still joins its network, as a balancer created while
    // the cloud-controller-manager died does: the engine refuses to remove a network with
    // endpoints, so down must detach it first.
    const stranger = execFileSync(
      'docker',
      [
        'run',
        '-d',
        '--network',
        state.network!.name,
        '--entrypoint',
        '/usr/bin/node',
        state.image!,
        '-e',
        'setInterval(() => {}, 1e6)',
      ],
      { encoding: 'utf8' },
    ).trim();
    try {
      const down = await crucible(home, ['down', name]);
      expect(down.code, down.stderr).to.equal(0);
      expect(dockerLeftovers(name)).to.deep.equal({ containers: [], networks: [] });
      expect(await readClusterRecord(name)).to.equal(undefined);
      expect(
        execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', stranger], {
          encoding: 'utf8',
        }).trim(),
      ).to.equal('true');
    } finally {
      execFileSync('docker', ['rm', '-f', stranger]);
    }
  });

  it('cleans up after a `crucible up` killed with SIGKILL in the middle of booting', async () => {
    const child = spawn(
      process.execPath,
      [CRUCIBLE_CLI, 'up', '--provider', 'docker', '--workers', '2', '--name', name],
      {
        env: { ...process.env, CRUCIBLE_HOME: home },
      },
    );
    await pollUntil(() => dockerLeftovers(name).containers.length >= 3, 60_000, 'containers created');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(dockerLeftovers(name).containers.length, 'what the crash left').to.be.greaterThan(0);
    const down = await crucible(home, ['down', name]);
    expect(down.code, down.stderr).to.equal(0);
    expect(dockerLeftovers(name)).to.deep.equal({ containers: [], networks: [] });
  });

  it('removes everything it had created when `crucible up` is interrupted (Ctrl-C)', async () => {
    const child = spawn(
      process.execPath,
      [CRUCIBLE_CLI, 'up', '--provider', 'docker', '--workers', '2', '--name', name],
      {
        env: { ...process.env, CRUCIBLE_HOME: home },
      },
    );
    await pollUntil(() => dockerLeftovers(name).containers.length >= 3, 60_000, 'containers created');
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).to.equal(130);
    expect(dockerLeftovers(name)).to.deep.equal({ containers: [], networks: [] });
    expect(await readClusterRecord(name)).to.equal(undefined);
  });

  describe('an HA cluster: 3 etcd members, 2 apiservers, 2 schedulers, 2 controller-managers, the cloud’s, simulated nodes', () => {
    const provider = new DockerProvider();
    let cluster: RunningCluster;
    let client: ApiClient;

    before(async () => {
      const file = join(home, 'ha.yaml');
      await writeFile(
        file,
        [
          'apiVersion: crucible.dev/v1alpha1',
          'kind: Cluster',
          `name: ${name}-ha`,
          'etcd: {members: 3}',
          'controlPlane: {apiservers: 2, schedulers: 2, controllerManagers: 2, cloudControllerManager: true}',
          'workers: [{count: 2}]',
          'simulatedNodes: {count: 2}',
        ].join('\n'),
      );
      cluster = await provider.create(parseClusterSpec(await readFile(file, 'utf8'), file), () => undefined);
      client = adminClient(cluster);
    });
    after(async () => {
      await client?.close();
      await provider.delete(`${name}-ha`);
      expect(dockerLeftovers(`${name}-ha`)).to.deep.equal({ containers: [], networks: [] });
    });

    /** The cluster works: a new Deployment gets a Ready pod (apiserver, etcd quorum, scheduler, controllers, a kubelet). */
    async function worksWith(tag: string): Promise<void> {
      const deployments = findResource('apps', 'v1', 'deployments')!;
      const labels = { app: tag };
      // A create whose answer was lost to the fault may have happened: AlreadyExists counts.
      await pollUntil(
        () =>
          client
            .create<Deployment>(deployments, {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: tag, namespace: 'default' },
              spec: {
                replicas: 1,
                selector: { matchLabels: labels },
                template: {
                  metadata: { labels },
                  spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] },
                },
              },
            })
            .then(
              () => true,
              (e: { reason?: string }) => e.reason === 'AlreadyExists',
            ),
        30_000,
        `create deployment ${tag}`,
      );
      await pollUntil(
        async () =>
          ((await client.get<Deployment>(deployments, 'default', tag).catch(() => undefined))?.status
            ?.readyReplicas ?? 0) === 1,
        40_000,
        `deployment ${tag} ready`,
      );
    }

    it('boots and works', async () => {
      // apiservers × etcd members + (schedulers, controller-managers, the cloud's, workers, the simulated nodes) × apiservers
      expect(cluster.record.links.length).to.equal(2 * 3 + (2 + 2 + 1 + 2 + 1) * 2);
      const nodes = await client.list<Node>(findResource('', 'v1', 'nodes')!);
      expect(nodes.items).to.have.length(2 + 2);
      await worksWith('ha-boot');
    });

    it('serves kubectl through the Toxiproxy links to 3 etcd members that speak mutual TLS', async () => {
      const kubectl = Kubectl.withKubeconfig(cluster.credentials.kubeconfig);
      expect(await kubectl.ok(['get', 'nodes']))
        .to.match(/worker-1\s+Ready/)
        .and.match(/worker-2\s+Ready/);
      const apiserver = cluster.record.members.find((m) => m.name === 'apiserver-1')!;
      const viaLinks = cluster.record.links
        .filter((l) => l.from === 'apiserver-1')
        .map((l) => `https://toxiproxy:${l.listen.split(':')[1]}`);
      expect(apiserver.args).to.include(`--etcd-servers=${viaLinks.join(',')}`);
      for (const member of ['etcd-0', 'etcd-1', 'etcd-2'])
        expect(await cluster.logs(member), member)
          .to.include('serving client traffic securely')
          .and.include('starting with peer TLS')
          .and.not.include('serving client traffic insecurely');
    });

    it('gives each kind of node only its own credentials under /etc/crucible, and mounts nothing else of the cluster’s folder', async () => {
      const folder = `clusters/${name}-ha/nodes/`;
      const sees = async (node: string) => {
        const result = await cluster.exec(node, ['/usr/bin/node', '-e', LIST_CREDENTIALS, folder]);
        expect(result.exitCode, result.output).to.equal(0);
        const lines = result.output.trim().split('\n').filter(Boolean);
        const mounts = lines.filter((l) => l.startsWith('mount '));
        expect(
          mounts,
          `${node}: its own folder, read-only, is its one mount of the cluster's folder`,
        ).to.have.length(1);
        expect(mounts[0]).to.match(new RegExp(`${folder}${node} /etc/crucible ro,`));
        return lines.filter((l) => !l.startsWith('mount '));
      };
      const components = (token: string) => ['ca.crt 644', `${token}.token 600`];
      const expected: Record<string, string[]> = {
        'worker-1': ['ca.crt 644', 'kube-proxy.token 600', 'kubelet.token 600'],
        'worker-2': ['ca.crt 644', 'kube-proxy.token 600', 'kubelet.token 600'],
        'simulated-nodes': ['ca.crt 644', 'simulated-nodes.token 600'],
        'apiserver-0': [
          'apiserver-etcd-client.crt 644',
          'apiserver-etcd-client.key 600',
          'apiserver.crt 644',
          'apiserver.key 600',
          'ca.crt 644',
          'etcd-ca.crt 644',
          // The ServiceAccount token signer's key pair (TokenRequest), the apiserver's alone.
          'sa.key 600',
          'sa.pub 644',
          'tokens.csv 600',
        ],
        'etcd-2': [
          'etcd-ca.crt 644',
          'etcd-peer.crt 644',
          'etcd-peer.key 600',
          'etcd-server.crt 644',
          'etcd-server.key 600',
        ],
        'scheduler-1': components('scheduler'),
        'controller-manager-0': components('controller-manager'),
        // The cloud's controller acts as the controller-manager's user.
        'cloud-controller-manager': components('controller-manager'),
      };
      for (const [node, files] of Object.entries(expected))
        expect(await sees(node), node).to.deep.equal(files);
      // Toxiproxy may be the real one (an image without Node.js to look inside with): by Docker's
      // own account, its one mount is its own (empty) folder, read-only.
      const toxiproxy = await (
        await dockerClient()
      )
        .getContainer(cluster.record.handles['toxiproxy']!.containerId!)
        .inspect();
      expect(
        toxiproxy.Mounts.map(
          (m) => `${m.Source.slice(m.Source.indexOf(folder))} ${m.Destination} ${m.RW ? 'rw' : 'ro'}`,
        ),
        'toxiproxy mounts',
      ).to.deep.equal([`${folder}toxiproxy /etc/crucible ro`]);
      expect(await readdir(join(clusterDir(`${name}-ha`), 'nodes', 'toxiproxy'))).to.deep.equal([]);
      const kubeletToken = (node: string) =>
        cluster.exec(node, [
          '/usr/bin/node',
          '-p',
          `require('fs').readFileSync('/etc/crucible/kubelet.token', 'utf8').trim()`,
        ]);
      expect((await kubeletToken('worker-1')).output, 'each worker its own kubelet user').to.not.equal(
        (await kubeletToken('worker-2')).output,
      );
    });

    it('etcd refuses, even on the cluster network, a client without a certificate from its CA', async () => {
      const probe = async (node: string, options: Record<string, unknown>) => {
        const result = await cluster.exec(node, ['/usr/bin/node', '-e', PROBE, JSON.stringify(options)]);
        expect(result.exitCode, result.output).to.equal(0);
        return JSON.parse(result.output) as { status?: number; body?: string; error?: string };
      };
      const etcdCa = await readFile(join(clusterDir(`${name}-ha`), 'nodes', 'etcd-0', 'etcd-ca.crt'), 'utf8');
      const link = cluster.record.links.find((l) => l.name === 'apiserver-0-to-etcd-1')!;
      const viaToxiproxy = `https://toxiproxy:${link.listen.split(':')[1]}/health`;
      const refused = /alert bad certificate|alert certificate required/;
      // A worker holds no etcd certificate: however it asks, straight or through the apiserver's link, it is turned away.
      expect((await probe('worker-1', { url: 'https://etcd-0:2379/health', ca: etcdCa })).error).to.match(
        refused,
      );
      expect((await probe('worker-1', { url: viaToxiproxy, ca: etcdCa })).error).to.match(refused);
      expect(
        (await probe('worker-1', { url: 'https://etcd-1:2379/health', rejectUnauthorized: false })).error,
      ).to.match(refused);
      expect((await probe('worker-1', { url: 'http://etcd-2:2379/health' })).error, 'plain http').to.be.a(
        'string',
      );
      // The apiserver's node with its own key pair gets in, straight and through Toxiproxy, whose
      // name etcd's serving certificates carry.
      const own = {
        ca: '/etc/crucible/etcd-ca.crt',
        cert: '/etc/crucible/apiserver-etcd-client.crt',
        key: '/etc/crucible/apiserver-etcd-client.key',
      };
      const healthy = { status: 200, body: '{"health":"true"}' };
      expect(await probe('apiserver-0', { url: 'https://etcd-0:2379/health', ...own })).to.deep.equal(
        healthy,
      );
      expect(await probe('apiserver-0', { url: viaToxiproxy, ...own })).to.deep.equal(healthy);
    });

    for (const node of [
      'etcd-0',
      'etcd-1',
      'etcd-2',
      'apiserver-0',
      'apiserver-1',
      'scheduler-0',
      'scheduler-1',
      'controller-manager-0',
      'controller-manager-1',
    ]) {
      it(`keeps working with ${node} killed`, async () => {
        await cluster.kill(node);
        const started = Date.now();
        try {
          await worksWith(`without-${node}`);
        } finally {
          await cluster.start(node);
        }
        // How long the cluster took to do a whole Deployment's worth of work without the node.
        console.log(`      (a Deployment ready ${Date.now() - started} ms after ${node} was killed)`);
      });
    }
  });
});
