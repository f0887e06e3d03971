import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { readClusterRecord } from './cluster-record.js';
import { openCluster } from './open-cluster.js';
import type { RunningCluster } from './running-cluster.js';
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

  it('boots 3 workers in containers, serves a deployed app from the host through every worker, and down leaves nothing', async () => {
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
    const down = await crucible(home, ['down', name]);
    expect(down.code, down.stderr).to.equal(0);
    expect(dockerLeftovers(name)).to.deep.equal({ containers: [], networks: [] });
    expect(await readClusterRecord(name)).to.equal(undefined);
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

  describe('an HA cluster: 3 etcd members, 2 apiservers, 2 schedulers, 2 controller-managers', () => {
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
          'controlPlane: {apiservers: 2, schedulers: 2, controllerManagers: 2}',
          'workers: [{count: 2}]',
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
      expect(cluster.record.links.length).to.equal(2 * 3 + (2 + 2 + 2) * 2);
      const nodes = await client.list<Node>(findResource('', 'v1', 'nodes')!);
      expect(nodes.items).to.have.length(2);
      await worksWith('ha-boot');
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
