import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../api/errors.js';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufObject } from './index.js';

/** A write kubectl made, with its body decoded from whatever media type it was sent in. */
interface RecordedWrite {
  method: string;
  path: string;
  contentType: string;
  accept: string;
  object: Record<string, unknown>;
}

const resource = (name: string, kind: string, namespaced: boolean, verbs = ['create', 'get', 'list']) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs,
});
const group = (name: string) => ({
  name,
  versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
  preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
});

// Just enough discovery for the commands below; kubectl falls back from aggregated discovery to
// these legacy documents on its own.
const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: ['apps', 'rbac.authorization.k8s.io', 'authorization.k8s.io'].map(group),
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      resource('namespaces', 'Namespace', false),
      resource('configmaps', 'ConfigMap', true),
      resource('secrets', 'Secret', true),
      resource('pods', 'Pod', true),
      resource('services', 'Service', true),
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    groupVersion: 'apps/v1',
    resources: [resource('deployments', 'Deployment', true)],
  },
  '/apis/rbac.authorization.k8s.io/v1': {
    kind: 'APIResourceList',
    groupVersion: 'rbac.authorization.k8s.io/v1',
    resources: [resource('rolebindings', 'RoleBinding', true), resource('roles', 'Role', true)],
  },
  '/apis/authorization.k8s.io/v1': {
    kind: 'APIResourceList',
    groupVersion: 'authorization.k8s.io/v1',
    resources: [resource('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create'])],
  },
};

describe('kubectl 1.32 request bodies, decoded (real kubectl, recording HTTP server)', function () {
  this.timeout(60_000);
  const bin = process.env.KUBECTL_BIN ?? 'kubectl';
  const cacheDir = mkdtempSync(join(tmpdir(), 'crucible-kubectl-protobuf-'));
  const writes: RecordedWrite[] = [];
  let server: http.Server;
  let url: string;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0];
        const reply = (code: number, body: unknown) => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method === 'GET') {
          if (DISCOVERY[path]) return reply(200, DISCOVERY[path]);
          return reply(404, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
          });
        }
        const contentType = req.headers['content-type'] ?? '';
        const body = Buffer.concat(chunks);
        try {
          const object = contentType.startsWith(PROTOBUF_MEDIA_TYPE)
            ? decodeProtobufObject(body)
            : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
          writes.push({
            method: req.method ?? '',
            path,
            contentType,
            accept: req.headers.accept ?? '',
            object,
          });
          // The review is answered the way the real apiserver would; everything else is echoed.
          if (object.kind === 'SelfSubjectAccessReview')
            return reply(201, { ...object, status: { allowed: true } });
          return reply(201, object);
        } catch (e) {
          const err = e instanceof ApiError ? e : new ApiError('InternalError', String(e));
          return reply(err.code, err.toStatus());
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        bin,
        [`--server=${url}`, `--cache-dir=${cacheDir}`, ...args],
        { timeout: 30_000, env: { ...process.env, KUBECONFIG: '/dev/null' } },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  }

  /** Runs a command that writes exactly one object and returns what the server decoded. */
  async function write(args: string[]): Promise<{ sent: RecordedWrite; stdout: string }> {
    const before = writes.length;
    const r = await kubectl(args);
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    expect(writes.length - before, 'writes made').to.equal(1);
    return { sent: writes[writes.length - 1], stdout: r.stdout };
  }

  it('`create namespace` sends protobuf, decoded to the Namespace JSON, and kubectl reads our JSON reply', async () => {
    const { sent, stdout } = await write(['create', 'namespace', 'x', '--dry-run=server', '-o', 'json']);
    expect(sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(sent.accept).to.equal(`${PROTOBUF_MEDIA_TYPE},application/json`);
    expect(sent.path).to.equal('/api/v1/namespaces');
    expect(sent.object).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      spec: {},
      status: {},
    });
    expect(JSON.parse(stdout)).to.include({ kind: 'Namespace', apiVersion: 'v1' });
  });

  it('`create configmap --from-literal` sends protobuf, decoded with both data entries', async () => {
    const { sent, stdout } = await write([
      'create',
      'configmap',
      'cm',
      '--from-literal=a=b',
      '--from-literal=c=d',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(sent.path).to.equal('/api/v1/namespaces/default/configmaps');
    expect(sent.object).to.deep.equal({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { a: 'b', c: 'd' },
    });
    expect(JSON.parse(stdout).data).to.deep.equal({ a: 'b', c: 'd' });
  });

  it('`create deployment --replicas --port` sends protobuf, decoded with its whole pod template', async () => {
    const { sent, stdout } = await write([
      'create',
      'deployment',
      'web',
      '--image=crucible/echo',
      '--replicas=3',
      '--port=8080',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(sent.path).to.equal('/apis/apps/v1/namespaces/default/deployments');
    expect(sent.object).to.deep.equal({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'echo', image: 'crucible/echo', ports: [{ containerPort: 8080 }], resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    });
    expect(JSON.parse(stdout).spec.replicas).to.equal(3);
  });

  it('`run` sends JSON, not protobuf, and that JSON is what we record', async () => {
    const { sent } = await write([
      'run',
      'p',
      '--image=crucible/sleeper',
      '--env=A=B',
      '--labels=x=y',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(sent.contentType).to.equal('application/json');
    expect(sent.path).to.equal('/api/v1/namespaces/default/pods');
    expect(sent.object).to.deep.include({ kind: 'Pod', apiVersion: 'v1' });
    expect(sent.object.metadata).to.deep.include({ name: 'p', labels: { x: 'y' } });
    expect(sent.object.spec).to.deep.include({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect((sent.object.spec as { containers: unknown[] }).containers).to.deep.equal([
      { name: 'p', image: 'crucible/sleeper', env: [{ name: 'A', value: 'B' }], resources: {} },
    ]);
  });

  it('`create rolebinding -n` sends protobuf, decoded with subject and roleRef in the namespace', async () => {
    const { sent } = await write([
      'create',
      'rolebinding',
      'rb',
      '--clusterrole=edit',
      '--user=alice',
      '-n',
      'team-a',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(sent.path).to.equal('/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings');
    expect(sent.object).to.deep.equal({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb', namespace: 'team-a' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    });
  });

  it('`create service nodeport --tcp` sends protobuf, decoded with a numeric targetPort', async () => {
    const { sent } = await write([
      'create',
      'service',
      'nodeport',
      's',
      '--tcp=80:8080',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(sent.object).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', labels: { app: 's' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 's' },
        type: 'NodePort',
      },
      status: { loadBalancer: {} },
    });
  });

  it('`auth can-i` sends a protobuf SelfSubjectAccessReview and reads the JSON verdict', async () => {
    const before = writes.length;
    const r = await kubectl(['auth', 'can-i', 'create', 'pods']);
    expect(r.stdout.trim(), r.stderr).to.equal('yes');
    const sent = writes.slice(before);
    expect(sent).to.have.length(1);
    expect(sent[0].contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(sent[0].path).to.equal('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(sent[0].object).to.deep.equal({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
      status: { allowed: false },
    });
  });

  it('`create secret generic` and `create role` send protobuf too, with data as base64 and rules intact', async () => {
    const secret = await write([
      'create',
      'secret',
      'generic',
      's1',
      '--from-literal=k=v',
      '--dry-run=server',
      '-o',
      'name',
    ]);
    expect(secret.sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(secret.sent.object).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1' },
      data: { k: Buffer.from('v').toString('base64') },
    });
    const role = await write([
      'create',
      'role',
      'r',
      '--verb=get',
      '--resource=pods',
      '--dry-run=server',
      '-o',
      'name',
    ]);
    expect(role.sent.contentType).to.equal(PROTOBUF_MEDIA_TYPE);
    expect(role.sent.object).to.deep.equal({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
    });
  });
});
