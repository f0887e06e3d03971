import { POD_UID_RANGE } from '../../orchestrator/api/pod-confinement.js';
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crucible } from '../../testing/crucible-cli.js';
import { Kubectl } from '../../testing/kubectl.js';
import { pollUntil } from '../support/poll-until.js';
import { dockerEngineAnswers } from './node-image.js';
import { openCluster } from './open-cluster.js';
import type { RunningCluster } from './running-cluster.js';

interface ProbeLine {
  kind: string;
  target: string;
  outcome: 'denied' | 'leaked' | 'missing';
  detail: string;
}

/**
 * A tenant's pod on a docker cluster holds only its own credentials: it runs as a user of its own,
 * reads nothing of its node's credentials (the old paths — tokens.csv, the admin kubeconfig, the
 * apiserver's key — nor the new ones), nor another pod's files; etcd, Toxiproxy's API and the
 * kubelets are closed to it; and with its own ServiceAccount token an in-cluster client gets what
 * RBAC grants that ServiceAccount and nothing more.
 */
describe('pods confined on a docker cluster (real CLI, real kubectl)', function () {
  this.timeout(240_000);
  let home: string;
  let cluster: RunningCluster;
  let admin: Kubectl;
  let tenant: Kubectl;
  const name = `pc${process.pid}`;

  before(async function () {
    if (!(await dockerEngineAnswers(2000))) this.skip();
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    process.env.CRUCIBLE_HOME = home;
    const spec = join(home, 'cluster.yaml');
    await writeFile(
      spec,
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        `name: ${name}`,
        'workers: [{count: 2}]',
        'users: [team-a]',
      ].join('\n'),
    );
    const up = await crucible(home, ['up', '--provider', 'docker', '--config', spec]);
    expect(up.code, up.stderr).to.equal(0);
    cluster = await openCluster(name);
    admin = Kubectl.withKubeconfig(cluster.credentials.kubeconfig);
    await admin.ok(['create', 'namespace', 'team-a']);
    await admin.ok([
      'create',
      'rolebinding',
      'team-a-edit',
      '-n',
      'team-a',
      '--clusterrole=edit',
      '--user=team-a',
    ]);
    tenant = Kubectl.withKubeconfig(cluster.credentials.kubeconfig).as(
      cluster.credentials.userTokens['team-a']!,
    );
  });
  after(async () => {
    if (!home) return;
    await crucible(home, ['down', name]);
    delete process.env.CRUCIBLE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  /** Runs a pod of team-a on worker-1 to its end and gives its log. */
  async function runPod(
    pod: string,
    container: Record<string, unknown>,
    spec: Record<string, unknown> = {},
  ): Promise<string> {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace: 'team-a' },
      spec: {
        nodeName: 'worker-1',
        restartPolicy: 'Never',
        containers: [{ name: 'c', ...container }],
        ...spec,
      },
    };
    await tenant.ok(['apply', '--validate=false', '-f', '-'], JSON.stringify(manifest));
    await pollUntil(
      async () =>
        /Completed|Error/.test(await tenant.ok(['get', 'pod', pod, '-n', 'team-a', '--no-headers'])),
      60_000,
      `pod ${pod} to finish`,
    );
    return tenant.ok(['logs', pod, '-n', 'team-a']);
  }

  it("reads nothing of its node's credentials nor another pod's files, and reaches neither etcd, Toxiproxy nor a kubelet", async () => {
    // Another pod of the tenant leaves a file in its own directory, on the same worker.
    const other = await runPod('keeper', {
      image: 'crucible/sleeper',
      command: ['node', '-e', "require('fs').writeFileSync('kept', 'secret'); console.log(process.cwd())"],
    });
    const keptFile = join(other.trim(), 'kept');
    const targets = cluster.podEscapeTargets();
    const log = await runPod('probe', {
      image: 'crucible/isolation-probe',
      env: [
        // The old paths (the whole cluster folder was mounted at /etc/crucible) and the new ones.
        {
          name: 'PROBE_FILES',
          value: [
            ...targets.files,
            '/etc/crucible/tokens.csv',
            '/etc/crucible/kubeconfig',
            '/etc/crucible/apiserver.key',
            keptFile,
          ].join(','),
        },
        {
          name: 'PROBE_URLS',
          value: Object.entries(targets.urls)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
        },
        { name: 'PROBE_FOREIGN_NAMESPACES', value: 'default,kube-system' },
      ],
    });
    const lines = log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ProbeLine);
    const leaked = lines.filter((l) => l.outcome === 'leaked');
    expect(leaked, 'what the pod got').to.deep.equal([]);
    const denied = (kind: string, pattern: RegExp) =>
      lines.filter((l) => l.kind === kind && l.outcome === 'denied' && pattern.test(l.target));
    expect(denied('file', /^\/etc\/crucible/), 'node credentials denied').to.not.be.empty;
    expect(
      lines.filter((l) => l.target === keptFile).map((l) => l.outcome),
      "the other pod's file",
    ).to.deep.equal(['denied']);
    expect(denied('url', /^etcd-0 \(https\)/), 'etcd over TLS, no client certificate').to.have.length(1);
    expect(denied('url', /^etcd-0 \(http\)/), 'etcd in plain HTTP').to.have.length(1);
    expect(denied('url', /^toxiproxy API/), "Toxiproxy's API").to.have.length(1);
    expect(denied('url', /kubelet/), 'the kubelets').to.have.length(2);
    expect(denied('api', /namespaces\/default\/pods/), 'another namespace through the API').to.have.length(1);
  });

  it("runs each pod as a user of its own; an in-cluster client with the pod's ServiceAccount token gets what RBAC grants it and nothing more", async () => {
    await admin.ok([
      'create',
      'rolebinding',
      'sa-view',
      '-n',
      'team-a',
      '--clusterrole=view',
      '--serviceaccount=team-a:default',
    ]);
    const script = `
      const https = require('https'), fs = require('fs');
      const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
      const token = fs.readFileSync(dir + '/token', 'utf8'), ca = fs.readFileSync(dir + '/ca.crt');
      const get = (path) => new Promise((done) => https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path, ca, headers: { authorization: 'Bearer ' + token } }, (res) => { res.resume(); res.on('end', () => done(res.statusCode)); }).on('error', (e) => done(e.code)));
      (async () => {
        console.log(JSON.stringify({ uid: process.getuid(), own: await get('/api/v1/namespaces/team-a/pods'), other: await get('/api/v1/namespaces/default/pods'), nodes: await get('/api/v1/nodes'), write: fs.readFileSync(dir + '/namespace', 'utf8') }));
      })();`;
    const [a, b] = await Promise.all([
      runPod('client-a', { image: 'crucible/sleeper', command: ['node', '-e', script] }),
      runPod('client-b', { image: 'crucible/sleeper', command: ['node', '-e', script] }),
    ]);
    const first = JSON.parse(a.trim()) as {
      uid: number;
      own: number;
      other: number;
      nodes: number;
      write: string;
    };
    const second = JSON.parse(b.trim()) as { uid: number };
    expect(first).to.include({ own: 200, other: 403, nodes: 403, write: 'team-a' });
    expect(first.uid).to.be.within(POD_UID_RANGE.first, POD_UID_RANGE.last);
    expect(second.uid, 'each pod a user of its own').to.not.equal(first.uid);
  });

  it("runs a pod that asks to be root (runAsUser: 0) as a user of its own, which reads nothing of its node's credentials", async () => {
    const files = cluster.podEscapeTargets().files;
    const script = `const fs = require('fs');
      console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), read: ${JSON.stringify(files)}.filter((f) => { try { fs.readFileSync(f); return true; } catch { return false; } }) }));`;
    const root = JSON.parse(
      (
        await runPod(
          'as-root',
          { image: 'crucible/sleeper', command: ['node', '-e', script] },
          { securityContext: { runAsUser: 0, runAsGroup: 0 } },
        )
      ).trim(),
    ) as { uid: number; gid: number; read: string[] };
    expect(files, 'what a pod must not read').to.not.be.empty;
    expect(root.uid).to.be.within(POD_UID_RANGE.first, POD_UID_RANGE.last);
    expect(root.gid).to.equal(root.uid);
    expect(root.read, "the node's credentials it read").to.deep.equal([]);
  });
});
