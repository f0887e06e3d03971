import { expect } from 'chai';
import { adminClient } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TestControlPlane, kubeletToken } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { ConfigMap, Lease, Node, Pod, Secret } from '../api/types.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const PODS = findResource('', 'v1', 'pods')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

const WORKER_1 = kubeletToken('worker-1');

function pod(name: string, nodeName: string, configMap: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team-a' },
    spec: {
      nodeName,
      containers: [
        {
          name: 'app',
          image: 'crucible/sleeper',
          env: [{ name: 'SETTING', valueFrom: { configMapKeyRef: { name: configMap, key: 'a' } } }],
          volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }],
        },
      ],
      // Each pod's Secret is named after its ConfigMap: `cm-mine` → `secret-mine`.
      volumes: [{ name: 'creds', secret: { secretName: configMap.replace(/^cm-/, 'secret-') } }],
    },
  };
}

function node(name: string): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } };
}

function lease(name: string): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40 },
  };
}

describe('a kubelet’s token, confined by the Node authorizer and NodeRestriction (real etcd, real kubectl)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let admin: ApiClient;
  let kubelet: Kubectl;
  const asKubelet = (method: string, path: string, body?: unknown, contentType?: string) =>
    cp.request(method, path, WORKER_1, body, contentType);

  before(async () => {
    cp = await TestControlPlane.start();
    admin = adminClient(cp);
    kubelet = new Kubectl(cp.url, WORKER_1, cp.caFile);
    await admin.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    for (const name of ['cm-mine', 'cm-theirs', 'cm-unused'])
      await admin.create<ConfigMap>(CONFIGMAPS, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'team-a' },
        data: { a: '1' },
      });
    for (const name of ['secret-mine', 'secret-theirs', 'secret-unused'])
      await admin.create<Secret>(SECRETS, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: 'team-a' },
        stringData: { password: 'hunter2' },
      });
    await admin.create(PODS, pod('mine', 'worker-1', 'cm-mine'));
    await admin.create(PODS, pod('theirs', 'worker-2', 'cm-theirs'));
    await admin.create(PODS, pod('theirs-too', 'worker-2', 'cm-theirs'));
    await admin.create(LEASES, lease('worker-2'));
  });

  after(async () => {
    await admin?.close();
    await cp?.stop();
  });

  describe('its own node', () => {
    it('registers its own Node, updates it and posts its status', async () => {
      expect((await asKubelet('POST', '/api/v1/nodes', node('worker-1'))).status).to.equal(201);
      expect(await kubelet.ok(['label', 'node', 'worker-1', 'zone=a'])).to.contain('node/worker-1 labeled');
      const status = await asKubelet(
        'PATCH',
        '/api/v1/nodes/worker-1/status',
        { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } },
        'application/merge-patch+json',
      );
      expect(status.status).to.equal(200);
    });

    it('keeps its own Lease in kube-node-lease', async () => {
      expect(
        (
          await asKubelet(
            'POST',
            '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
            lease('worker-1'),
          )
        ).status,
      ).to.equal(201);
      const renewed = await asKubelet(
        'PATCH',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1',
        { spec: { renewTime: '2025-03-01T12:00:00.000000Z' } },
        'application/merge-patch+json',
      );
      expect(renewed.status).to.equal(200);
    });

    it('reads, lists (by field selector) and reports on the pods bound to it', async () => {
      expect(await kubelet.ok(['get', 'pod', 'mine', '-n', 'team-a', '-o', 'name'])).to.equal('pod/mine\n');
      expect(
        await kubelet.ok(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=worker-1', '-o', 'name']),
      ).to.equal('pod/mine\n');
      const status = await asKubelet(
        'PATCH',
        '/api/v1/namespaces/team-a/pods/mine/status',
        { status: { phase: 'Running' } },
        'application/merge-patch+json',
      );
      expect(status.status).to.equal(200);
      expect(status.body.status.phase).to.equal('Running');
    });

    it('deletes a pod bound to it', async () => {
      await admin.create(PODS, pod('done', 'worker-1', 'cm-mine'));
      expect((await asKubelet('DELETE', '/api/v1/namespaces/team-a/pods/done')).status).to.be.oneOf([
        200, 202,
      ]);
    });

    it('reads a ConfigMap that a pod bound to it refers to', async () => {
      expect(await kubelet.ok(['get', 'configmap', 'cm-mine', '-n', 'team-a', '-o', 'name'])).to.equal(
        'configmap/cm-mine\n',
      );
    });

    it('reads Services and Nodes and records Events', async () => {
      await kubelet.ok(['get', 'services', '-A']);
      expect(await kubelet.ok(['get', 'nodes', '-o', 'name'])).to.contain('node/worker-1');
      const event = await asKubelet('POST', '/api/v1/namespaces/team-a/events', {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'mine.started', namespace: 'team-a' },
        involvedObject: { kind: 'Pod', namespace: 'team-a', name: 'mine' },
        reason: 'Started',
        message: 'Started container app',
      });
      expect(event.status).to.equal(201);
    });
  });

  describe('everything else', () => {
    it('refuses to get a pod bound to another node', async () => {
      const r = await kubelet.run(['get', 'pod', 'theirs', '-n', 'team-a']);
      expect(r.code).to.equal(1);
      expect(r.stderr.trim()).to.equal(
        'Error from server (Forbidden): pods "theirs" is forbidden: User "system:node:worker-1" cannot get resource "pods" in API group "" in the namespace "team-a": no relationship found between node \'worker-1\' and this object',
      );
    });

    it('refuses to list or watch pods without the field selector of its own node', async () => {
      const all = await kubelet.run(['get', 'pods', '-A']);
      expect(all.stderr.trim()).to.equal(
        'Error from server (Forbidden): pods is forbidden: User "system:node:worker-1" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector',
      );
      const other = await kubelet.run(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=worker-2']);
      expect(other.stderr).to.contain('can only list/watch pods with spec.nodeName field selector');
      const watch = await asKubelet('GET', '/api/v1/pods?watch=true&timeoutSeconds=1');
      expect(watch.status).to.equal(403);
    });

    it('refuses a ConfigMap that no pod of its node refers to', async () => {
      for (const name of ['cm-theirs', 'cm-unused']) {
        const r = await kubelet.run(['get', 'configmap', name, '-n', 'team-a']);
        expect(r.stderr.trim(), name).to.equal(
          `Error from server (Forbidden): configmaps "${name}" is forbidden: User "system:node:worker-1" cannot get resource "configmaps" in API group "" in the namespace "team-a": no relationship found between node 'worker-1' and this object`,
        );
      }
      const list = await kubelet.run(['get', 'configmaps', '-n', 'team-a']);
      expect(list.stderr).to.contain('No Object name found');
    });

    it('reads a Secret that a pod bound to it mounts, and no other', async () => {
      expect(await kubelet.ok(['get', 'secret', 'secret-mine', '-n', 'team-a', '-o', 'name'])).to.equal(
        'secret/secret-mine\n',
      );
      for (const name of ['secret-theirs', 'secret-unused']) {
        const r = await kubelet.run(['get', 'secret', name, '-n', 'team-a']);
        expect(r.stderr.trim(), name).to.equal(
          `Error from server (Forbidden): secrets "${name}" is forbidden: User "system:node:worker-1" cannot get resource "secrets" in API group "" in the namespace "team-a": no relationship found between node 'worker-1' and this object`,
        );
      }
      expect((await kubelet.run(['get', 'secrets', '-n', 'team-a'])).stderr).to.contain(
        'No Object name found',
      );
      const write = await kubelet.run(['delete', 'secret', 'secret-mine', '-n', 'team-a']);
      expect(write.stderr).to.contain('can only read resources of this type');
    });

    it('refuses to create a namespace, or any cluster-wide write', async () => {
      const r = await kubelet.run(['create', 'namespace', 'mine']);
      expect(r.stderr.trim()).to.equal(
        'Error from server (Forbidden): namespaces is forbidden: User "system:node:worker-1" cannot create resource "namespaces" in API group "" at the cluster scope',
      );
      const binding = await kubelet.run([
        'create',
        'clusterrolebinding',
        'escalate',
        '--clusterrole=cluster-admin',
        '--user=system:node:worker-1',
      ]);
      expect(binding.stderr).to.contain('cannot create resource "clusterrolebindings"');
      const deployment = await kubelet.run([
        'create',
        'deployment',
        'd',
        '--image=crucible/echo',
        '-n',
        'team-a',
      ]);
      expect(deployment.stderr).to.contain('cannot create resource "deployments"');
    });

    it('refuses to update another Node, or to set node-restriction labels on its own', async () => {
      await admin.create(findResource('', 'v1', 'nodes')!, node('worker-2'));
      const r = await kubelet.run(['label', 'node', 'worker-2', 'zone=b']);
      expect(r.stderr.trim()).to.equal(
        'Error from server (Forbidden): nodes "worker-2" is forbidden: node "worker-1" is not allowed to modify node "worker-2"',
      );
      const status = await asKubelet(
        'PATCH',
        '/api/v1/nodes/worker-2/status',
        { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Spoofed' }] } },
        'application/merge-patch+json',
      );
      expect(status.status).to.equal(403);
      const restricted = await kubelet.run([
        'label',
        'node',
        'worker-1',
        'node-restriction.kubernetes.io/trusted=yes',
      ]);
      expect(restricted.stderr.trim()).to.equal(
        'Error from server (Forbidden): nodes "worker-1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/trusted',
      );
    });

    it('refuses another node’s Lease', async () => {
      const base = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
      const created = await asKubelet('POST', base, lease('worker-3'));
      expect(created.status).to.equal(403);
      expect(created.body.message).to.equal(
        'leases.coordination.k8s.io "worker-3" is forbidden: can only access node lease with the same name as the requesting node',
      );
      const renewed = await asKubelet(
        'PATCH',
        `${base}/worker-2`,
        { spec: { holderIdentity: 'worker-1' } },
        'application/merge-patch+json',
      );
      expect(renewed.status).to.equal(403);
      expect(renewed.body.message).to.contain(
        'cannot patch resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node',
      );
    });

    it('refuses to report on or delete another node’s pods', async () => {
      const status = await asKubelet(
        'PATCH',
        '/api/v1/namespaces/team-a/pods/theirs/status',
        { status: { phase: 'Failed' } },
        'application/merge-patch+json',
      );
      expect(status.status).to.equal(403);
      expect(status.body.message).to.equal(
        'pods "theirs" is forbidden: node "worker-1" can only update pod status for pods with spec.nodeName set to itself',
      );
      const deleted = await kubelet.run(['delete', 'pod', 'theirs-too', '-n', 'team-a', '--wait=false']);
      expect(deleted.stderr.trim()).to.equal(
        'Error from server (Forbidden): pods "theirs-too" is forbidden: node "worker-1" can only delete pods with spec.nodeName set to itself',
      );
      expect(await admin.tryGet(PODS, 'team-a', 'theirs-too')).to.not.equal(undefined);
    });

    it('answers kubectl auth can-i as the Node authorizer decides', async () => {
      expect((await kubelet.run(['auth', 'can-i', 'list', 'pods', '-A'])).stdout.trim()).to.equal(
        'no - can only list/watch pods with spec.nodeName field selector',
      );
      expect(
        (await kubelet.run(['auth', 'can-i', 'get', 'pods/mine', '-n', 'team-a'])).stdout.trim(),
      ).to.equal('yes');
      expect((await kubelet.run(['auth', 'can-i', 'create', 'namespaces'])).stdout.trim()).to.equal('no');
    });
  });
});
