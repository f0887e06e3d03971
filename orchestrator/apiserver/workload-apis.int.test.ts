import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORCHESTRATOR_MAIN } from '../../harness/cluster/host-programs.js';
import { LocalProcess, outputContains } from '../../harness/cluster/local-process.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';
import { RootCaCertPublisher } from '../controllers/root-ca-cert-publisher.js';

/**
 * The workload APIs a typical application's manifests use, served as every other resource is:
 * kubectl applies, gets (with its columns), describes and deletes them, and refuses a bad field by
 * name. Their controllers are tested against real processes elsewhere.
 */
describe('the workload APIs through kubectl 1.32 (real kubectl, real etcd)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let kubectl: Kubectl;

  before(async () => {
    cp = await TestControlPlane.start();
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    await kubectl.ok(['create', 'namespace', 'apps']);
  });
  after(async () => cp?.stop());

  describe('Secret', () => {
    it('applies stringData as base64 data, and lists TYPE and DATA', async () => {
      const manifest = [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: { name: db, namespace: apps }',
        'type: kubernetes.io/basic-auth',
        'stringData: { username: admin, password: hunter2 }',
      ].join('\n');
      expect(await kubectl.ok(['apply', '-f', '-'], manifest)).to.contain('secret/db created');
      // A second apply sends stringData again (it is never stored), as against Kubernetes.
      expect(await kubectl.ok(['apply', '-f', '-'], manifest)).to.contain('secret/db configured');
      const data = JSON.parse(await kubectl.ok(['get', 'secret', 'db', '-n', 'apps', '-o', 'json'])) as {
        data: Record<string, string>;
        stringData?: unknown;
      };
      expect(data.stringData).to.equal(undefined);
      expect(Buffer.from(data.data.password!, 'base64').toString()).to.equal('hunter2');
      const table = await kubectl.ok(['get', 'secrets', '-n', 'apps']);
      expect(table).to.match(/^NAME\s+TYPE\s+DATA\s+AGE/);
      expect(table).to.match(/^db\s+kubernetes\.io\/basic-auth\s+2\s+/m);
    });

    it('creates generic and TLS secrets with kubectl create (protobuf) and describes them without values', async () => {
      await kubectl.ok(['create', 'secret', 'generic', 'api', '-n', 'apps', '--from-literal=token=s3cr3t']);
      const described = await kubectl.ok(['describe', 'secret', 'api', '-n', 'apps']);
      expect(described).to.contain('token:  6 bytes');
      expect(described).not.to.contain('s3cr3t');
    });

    it('refuses a value that is not base64 and a TLS secret without its key, naming the field', async () => {
      const bad = await kubectl.run(['apply', '-f', '-'], {
        input:
          'apiVersion: v1\nkind: Secret\nmetadata: { name: bad, namespace: apps }\ndata: { k: "not base64!" }\n',
      });
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain(
        'data[k]: Invalid value: "<secret contents redacted>": must be base64-encoded',
      );
      const tls = await kubectl.run([
        'create',
        'secret',
        'generic',
        'half-tls',
        '-n',
        'apps',
        '--type=kubernetes.io/tls',
        '--from-literal=tls.crt=x',
      ]);
      expect(tls.stderr).to.contain('data[tls.key]: Required value');
    });

    it('keeps an immutable secret immutable', async () => {
      await kubectl.ok(
        ['apply', '-f', '-'],
        'apiVersion: v1\nkind: Secret\nmetadata: { name: frozen, namespace: apps }\nimmutable: true\nstringData: { a: "1" }\n',
      );
      const r = await kubectl.run([
        'patch',
        'secret',
        'frozen',
        '-n',
        'apps',
        '-p',
        '{"stringData":{"a":"2"}}',
      ]);
      expect(r.stderr).to.contain('data: Forbidden: field is immutable when `immutable` is set');
    });

    it('is readable by edit, not by view, as upstream', async () => {
      await kubectl.ok([
        'create',
        'rolebinding',
        'alice-view',
        '-n',
        'apps',
        '--clusterrole=view',
        '--user=alice',
      ]);
      await kubectl.ok([
        'create',
        'rolebinding',
        'bob-edit',
        '-n',
        'apps',
        '--clusterrole=edit',
        '--user=bob',
      ]);
      const viewer = await kubectl.as(TEST_TOKENS.alice).run(['get', 'secret', 'db', '-n', 'apps']);
      expect(viewer.stderr).to.contain('cannot get resource "secrets"');
      expect(
        await kubectl.as(TEST_TOKENS.bob).ok(['get', 'secret', 'db', '-n', 'apps', '-o', 'name']),
      ).to.equal('secret/db\n');
    });

    it('refuses a pod volume the process runtime cannot provide, saying so', async () => {
      const r = await kubectl.run(['apply', '-f', '-'], {
        input: [
          'apiVersion: v1',
          'kind: Pod',
          'metadata: { name: pvc, namespace: apps }',
          'spec:',
          '  containers: [{ name: c, image: crucible/sleeper, volumeMounts: [{ name: data, mountPath: /data }] }]',
          '  volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]',
        ].join('\n'),
      });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(
        'spec.volumes[0].persistentVolumeClaim: Forbidden: persistentVolumeClaim volumes are not supported: crucible has no PersistentVolumes',
      );
    });

    it('deletes a secret', async () => {
      expect(await kubectl.ok(['delete', 'secret', 'api', '-n', 'apps'])).to.contain('secret "api" deleted');
    });
  });

  describe('a pod consuming a Secret and a ConfigMap (a real kubelet running it as a process)', () => {
    let kubelet: LocalProcess;
    let rootDir: string;

    before(async () => {
      rootDir = await mkdtemp(join(tmpdir(), 'crucible-workload-apis-'));
      kubelet = new LocalProcess({
        name: 'kubelet-node-1',
        command: process.execPath,
        args: [
          ORCHESTRATOR_MAIN,
          'kubelet',
          `--server=${cp.url}`,
          `--token=${TEST_TOKENS.admin}`,
          `--certificate-authority=${cp.caFile}`,
          '--profile=fast',
          '--node-name=node-1',
          `--root-dir=${join(rootDir, 'node-1')}`,
          '--port=0',
        ],
        logFile: join(rootDir, 'kubelet.log'),
        ready: outputContains('"msg":"kubelet started"'),
      });
      await kubelet.start();
    });
    after(async () => {
      await kubelet?.stop();
      if (rootDir) await rm(rootDir, { recursive: true, force: true });
    });

    it('reads the Secret through env and as a file, the ConfigMap through envFrom, as kubectl logs shows', async () => {
      const script =
        "const fs = require('fs'); console.log([process.env.DB_PASSWORD, process.env.CFG_mode, process.env.OPTIONAL === undefined, fs.readFileSync('creds/password', 'utf8'), fs.readFileSync('creds/user', 'utf8')].join(' '));";
      const manifest = [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: { name: app-creds, namespace: apps }',
        'stringData: { password: hunter2, username: admin }',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: app-config, namespace: apps }',
        'data: { mode: fast }',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: { name: reader, namespace: apps }',
        'spec:',
        '  nodeName: node-1',
        '  restartPolicy: Never',
        '  containers:',
        '    - name: app',
        '      image: node',
        `      command: [node, -e, ${JSON.stringify(script)}]`,
        '      env:',
        '        - { name: DB_PASSWORD, valueFrom: { secretKeyRef: { name: app-creds, key: password } } }',
        '        - { name: OPTIONAL, valueFrom: { secretKeyRef: { name: absent, key: k, optional: true } } }',
        '      envFrom: [{ prefix: CFG_, configMapRef: { name: app-config } }]',
        '      volumeMounts: [{ name: creds, mountPath: creds }]',
        '  volumes:',
        '    - name: creds',
        '      secret: { secretName: app-creds, items: [{ key: password, path: password }, { key: username, path: user }] }',
      ].join('\n');
      const applied = await kubectl.ok(['apply', '-f', '-'], manifest);
      expect(applied).to.contain('pod/reader created');
      await pollUntil(
        async () =>
          (await kubectl.ok(['get', 'pod', 'reader', '-n', 'apps', '-o', 'jsonpath={.status.phase}'])) ===
          'Succeeded',
        30_000,
        'pod reader Succeeded',
      );
      expect((await kubectl.ok(['logs', 'reader', '-n', 'apps'])).trim()).to.equal(
        'hunter2 fast true hunter2 admin',
      );
      const described = await kubectl.ok(['describe', 'pod', 'reader', '-n', 'apps']);
      expect(described).to.match(/DB_PASSWORD:\s+<set to the key 'password' in secret 'app-creds'>/);
      expect(described).to.match(/Type:\s+Secret \(a volume populated by a Secret\)/);
      expect(await kubectl.ok(['delete', 'pod', 'reader', '-n', 'apps'])).to.contain('pod "reader" deleted');
    });
  });

  describe('root-ca-cert-publisher', () => {
    it('publishes the cluster CA as kube-root-ca.crt in every namespace, and puts it back when deleted', async () => {
      const caPem = cp.ca.certPem;
      const { stop } = runControllers(cp, (ctx) => [new RootCaCertPublisher(ctx)], { rootCaPem: caPem });
      try {
        const read = async (ns: string) =>
          (
            await kubectl.run([
              'get',
              'configmap',
              'kube-root-ca.crt',
              '-n',
              ns,
              '-o',
              'jsonpath={.data.ca\\.crt}',
            ])
          ).stdout;
        await pollUntil(async () => (await read('apps')) === caPem, 10_000, 'kube-root-ca.crt in apps');
        await kubectl.ok(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'apps']);
        await pollUntil(async () => (await read('apps')) === caPem, 10_000, 'kube-root-ca.crt back');
      } finally {
        await stop();
      }
    });
  });
});
