import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { Kubectl } from '../../testing/kubectl.js';
import { CRUCIBLE_CLI, crucible, withHome } from '../../testing/crucible-cli.js';
import { pollUntil } from '../support/poll-until.js';
import { defaultClusterSpec } from './cluster-spec.js';
import { isProcessAlive } from './process-identity.js';
import { labelledProcesses } from './process-reaper.js';
import { ProcessProvider } from './process-provider.js';
import { clusterDir, readClusterRecord } from './cluster-record.js';
import { openCluster } from './open-cluster.js';
import type { RunningCluster } from './running-cluster.js';
import type { KubeList, Pod } from '../../orchestrator/api/types.js';
import { POD_UID_RANGE } from '../../orchestrator/api/pod-confinement.js';

const ECHO = fileURLToPath(new URL('../../scenarios/manifests/echo.yaml', import.meta.url));

describe('crucible up/down with the process provider (real CLI, real components)', function () {
  this.timeout(120_000);
  let home: string;
  const name = `t${process.pid}`;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
  });
  after(async () => {
    await crucible(home, ['down', name]);
    await rm(home, { recursive: true, force: true });
  });

  it('boots 3 workers, serves a deployed app through every node port from the host, and down leaves nothing', async () => {
    const up = await crucible(home, ['up', '--provider', 'process', '--workers', '3', '--name', name]);
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.include(`cluster "${name}" is up`);
    const cluster = await withHome(home, () => openCluster(name));
    const state = cluster.record;
    expect(state.workers).to.have.length(3);
    const kubectl = Kubectl.withKubeconfig(cluster.credentials.kubeconfig);
    expect(await kubectl.ok(['get', 'nodes'])).to.match(/worker-3\s+Ready/);
    await kubectl.ok(['apply', '--validate=false', '-f', ECHO]);
    for (const w of state.workers) {
      await pollUntil(
        async () => {
          const res = await request(`http://${w.ip}:30080/`, { reset: true }).catch(() => undefined);
          const ok = res?.statusCode === 200;
          await res?.body.dump();
          return ok;
        },
        20_000,
        `echo through ${w.ip}:30080`,
      );
    }
    expect((await labelledProcesses(name)).length).to.equal(state.members.length);
    if (process.getuid?.() === 0) {
      // As root the pods are confined: each echo process runs as a user of its own, not root.
      const uids = await echoUids(state.workers.map((w) => `http://${w.ip}:${w.kubeletPort}/pods`));
      expect(uids.length, 'echo processes').to.be.greaterThan(0);
      for (const uid of uids) expect(uid).to.be.within(POD_UID_RANGE.first, POD_UID_RANGE.last);
      expect(await firewallRules(name), 'the control plane closed to pods').to.have.length(3);
    }
    const down = await crucible(home, ['down', name]);
    expect(down.code, down.stderr).to.equal(0);
    expect(await labelledProcesses(name)).to.deep.equal([]);
    expect(await withHome(home, () => readClusterRecord(name))).to.equal(undefined);
    expect(await firewallRules(name), 'no rule left').to.deep.equal([]);
  });

  it('cleans up after a `crucible up` killed with SIGKILL in the middle of booting', async () => {
    const child = spawn(
      process.execPath,
      [CRUCIBLE_CLI, 'up', '--provider', 'process', '--workers', '2', '--name', name],
      {
        env: { ...process.env, CRUCIBLE_HOME: home },
      },
    );
    await pollUntil(async () => (await labelledProcesses(name)).length >= 3, 20_000, 'boot under way');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await labelledProcesses(name)).length, 'what the crash left').to.be.greaterThan(0);
    const down = await crucible(home, ['down', name]);
    expect(down.code).to.equal(0);
    expect(await labelledProcesses(name)).to.deep.equal([]);
  });

  it('removes everything it had started when `crucible up` is interrupted (Ctrl-C)', async () => {
    const child = spawn(
      process.execPath,
      [CRUCIBLE_CLI, 'up', '--provider', 'process', '--workers', '2', '--name', name],
      {
        env: { ...process.env, CRUCIBLE_HOME: home },
      },
    );
    await pollUntil(async () => (await labelledProcesses(name)).length >= 3, 20_000, 'boot under way');
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).to.equal(130);
    expect(await labelledProcesses(name)).to.deep.equal([]);
  });
});

describe('process provider node operations', function () {
  this.timeout(120_000);
  const provider = new ProcessProvider();
  const name = `ops${process.pid}`;
  let home: string;
  let cluster: RunningCluster;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    cluster = await withHome(home, () =>
      provider.create(defaultClusterSpec({ name, workers: 1 }), () => undefined),
    );
  });
  after(async () => {
    await withHome(home, () => provider.delete(name));
    expect(await labelledProcesses(name)).to.deep.equal([]);
    await rm(home, { recursive: true, force: true });
  });

  const kubeletAnswers = () => answers(`http://${cluster.record.workers[0]!.ip}:10250/healthz`);

  it('pauses a worker (its kubelet stops answering) and thaws it; both safe to repeat', async () => {
    await cluster.pause('worker-1');
    await cluster.pause('worker-1');
    expect(await kubeletAnswers()).to.equal(false);
    await cluster.unpause('worker-1');
    await cluster.unpause('worker-1');
    await pollUntil(kubeletAnswers, 10_000, 'kubelet answers again');
  });

  it('kills a worker with its processes, and starts it again at the same address', async () => {
    const pids = cluster.record.members
      .filter((m) => m.node === 'worker-1')
      .map((m) => cluster.record.handles[m.name]!.pid!);
    await withHome(home, () => cluster.kill('worker-1'));
    expect(pids.filter(isProcessAlive)).to.deep.equal([]);
    expect(await kubeletAnswers()).to.equal(false);
    await withHome(home, () => cluster.start('worker-1'));
    await pollUntil(kubeletAnswers, 15_000, 'kubelet answers after start');
    expect(
      (await withHome(home, () => readClusterRecord(name)))!.handles['worker-1-kubelet']!.pid,
    ).to.not.equal(pids[0]);
  });

  it('stops an apiserver gracefully and starts it again', async () => {
    await withHome(home, () => cluster.stop('apiserver-0'));
    const ready = () => answers(`${cluster.record.apiservers[0]}/readyz`, cluster.credentials.caPem);
    expect(await ready()).to.equal(false);
    await withHome(home, () => cluster.start('apiserver-0'));
    await pollUntil(ready, 15_000, 'apiserver ready again');
  });

  it('points each member at its own node’s credentials folder, and keeps no credential of a component in the cluster’s', async () => {
    const dir = await withHome(home, async () => clusterDir(name));
    for (const m of cluster.record.members) {
      const files = m.args.filter((a) => a.includes(`${dir}/nodes/`)).map((a) => a.split('=')[1]!);
      expect(files.length > 0, m.name).to.equal(m.role !== 'toxiproxy');
      for (const file of files) expect(file, m.name).to.match(new RegExp(`^${dir}/nodes/${m.node}/[^/]+$`));
    }
    expect((await readdir(join(dir, 'nodes', 'worker-1'))).sort()).to.deep.equal([
      'ca.crt',
      'kube-proxy.token',
      'kubelet.token',
    ]);
    expect((await readdir(dir)).filter((f) => /\.(crt|key|token|csv)$/.test(f))).to.deep.equal([]);
    const etcd = cluster.record.members.find((m) => m.role === 'etcd')!;
    expect(etcd.args.find((a) => a.startsWith('--listen-client-urls='))).to.match(/=https:/);
  });

  it('gives logs per node, runs commands, and refuses a network disconnect with a reason', async () => {
    const logs = await cluster.logs('worker-1');
    expect(logs).to.include('==> worker-1-kubelet <==').and.include('==> worker-1-kube-proxy <==');
    expect(await cluster.exec('worker-1', ['sh', '-c', 'echo $CRUCIBLE_CLUSTER'])).to.deep.equal({
      exitCode: 0,
      output: `${name}\n`,
    });
    await cluster.disconnect('worker-1').then(
      () => expect.fail('disconnect should be refused'),
      (e: Error) => expect(e.message).to.include('cannot disconnect a node from the network'),
    );
    await cluster.kill('worker-9').then(
      () => expect.fail('an unknown node should be refused'),
      (e: Error) => expect(e.message).to.include('has no node "worker-9"'),
    );
  });
});

async function answers(url: string, caPem?: string): Promise<boolean> {
  const dispatcher = caPem ? new Agent({ connect: { ca: caPem } }) : undefined;
  try {
    const res = await request(url, { reset: true, headersTimeout: 1000, dispatcher });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  } finally {
    await dispatcher?.close();
  }
}

/** The user id of each running echo container, from the kubelets' own view and /proc. */
async function echoUids(kubelets: string[]): Promise<number[]> {
  const uids: number[] = [];
  for (const url of kubelets) {
    const res = await request(url);
    // The kubelet's PodList: each running container's id is `process://<pid>`.
    const pods = (await res.body.json()) as KubeList<Pod>;
    const pids = pods.items
      .flatMap((p) => p.status?.containerStatuses ?? [])
      .filter((c) => c.name === 'echo' && c.state?.running)
      .map((c) => Number(c.containerID?.replace('process://', '')));
    for (const pid of pids)
      uids.push(Number(/^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]));
  }
  return uids;
}

/** The host's iptables rules that confine the pods of cluster `name`. */
async function firewallRules(name: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('iptables-save');
  return stdout.split('\n').filter((l) => l.includes(`crucible-confine:${name}`));
}
