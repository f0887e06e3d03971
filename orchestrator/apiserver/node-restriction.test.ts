import { expect } from 'chai';

import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KubeObject, Lease, Node, Pod, TokenRequest } from '../api/types.js';
import type { UserInfo } from './auth/index.js';
import { NodeRestriction } from './node-restriction.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

const kubelet: UserInfo = { username: 'system:node:worker-1', uid: '', groups: ['system:nodes'] };
const admin: UserInfo = { username: 'admin', uid: '', groups: ['system:masters'] };
const admission = new NodeRestriction();

function node(name: string, labels: Record<string, string> = {}, taints: Node['spec'] = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: taints };
}

function pod(name: string, nodeName: string, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, ...extra },
    spec: { nodeName, containers: [{ name: 'c' }] },
  };
}

function lease(name: string, namespace = 'kube-node-lease'): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } };
}

/** The Forbidden message `run` throws, or undefined when it passes. */
function refusal(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    if (!isApiError(e, 'Forbidden')) throw e;
    expect(e.code).to.equal(403);
    return e.message;
  }
}

describe('NodeRestriction', () => {
  it('leaves users that are no node alone', () => {
    expect(refusal(() => admission.admitCreate(admin, NODES, node('worker-2')))).to.equal(undefined);
    expect(refusal(() => admission.admitDelete(admin, PODS, pod('p', 'worker-2')))).to.equal(undefined);
  });

  it('lets a node register and update only its own Node', () => {
    expect(refusal(() => admission.admitCreate(kubelet, NODES, node('worker-1')))).to.equal(undefined);
    expect(refusal(() => admission.admitCreate(kubelet, NODES, node('worker-2')))).to.equal(
      'nodes "worker-2" is forbidden: node "worker-1" is not allowed to modify node "worker-2"',
    );
    const live = node('worker-2');
    expect(refusal(() => admission.admitUpdate(kubelet, NODES, 'status', live, live))).to.equal(
      'nodes "worker-2" is forbidden: node "worker-1" is not allowed to modify node "worker-2"',
    );
    const own = node('worker-1', { zone: 'a' });
    expect(refusal(() => admission.admitUpdate(kubelet, NODES, 'status', own, own))).to.equal(undefined);
  });

  it('keeps a node from setting node-restriction.kubernetes.io labels, or Kubernetes labels a kubelet does not own', () => {
    const labelled = node('worker-1', {
      'node-restriction.kubernetes.io/trusted': 'yes',
      'kubernetes.io/hostname': 'worker-1',
      'topology.kubernetes.io/zone': 'a',
      'node.kubernetes.io/exclude-from-external-load-balancers': '',
      zone: 'a',
    });
    expect(refusal(() => admission.admitCreate(kubelet, NODES, labelled))).to.equal(
      'nodes "worker-1" is forbidden: node "worker-1" is not allowed to set the following labels: node-restriction.kubernetes.io/trusted',
    );
    const live = node('worker-1', { 'team.node-restriction.kubernetes.io/db': 'true' });
    const relabelled = node('worker-1', { 'node-role.kubernetes.io/control-plane': '' });
    expect(refusal(() => admission.admitUpdate(kubelet, NODES, '', relabelled, live))).to.equal(
      'nodes "worker-1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane, team.node-restriction.kubernetes.io/db',
    );
    // A label the node does not change is no concern, whoever set it.
    expect(refusal(() => admission.admitUpdate(kubelet, NODES, '', live, live))).to.equal(undefined);
  });

  it('keeps a node from changing its own taints', () => {
    const live = node('worker-1', {}, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    const untainted = node('worker-1');
    expect(refusal(() => admission.admitUpdate(kubelet, NODES, '', untainted, live))).to.equal(
      'nodes "worker-1" is forbidden: node "worker-1" is not allowed to modify taints',
    );
  });

  it('lets a node keep only its own Lease in kube-node-lease', () => {
    expect(refusal(() => admission.admitCreate(kubelet, LEASES, lease('worker-1')))).to.equal(undefined);
    expect(refusal(() => admission.admitCreate(kubelet, LEASES, lease('worker-2')))).to.equal(
      'leases.coordination.k8s.io "worker-2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    const elsewhere = lease('worker-1', 'kube-system');
    expect(refusal(() => admission.admitUpdate(kubelet, LEASES, '', elsewhere, elsewhere))).to.equal(
      'leases.coordination.k8s.io "worker-1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
  });

  it('lets a node update the status of and delete only the pods bound to it', () => {
    const mine = pod('mine', 'worker-1');
    const theirs = pod('theirs', 'worker-2');
    expect(refusal(() => admission.admitUpdate(kubelet, PODS, 'status', mine, mine))).to.equal(undefined);
    expect(refusal(() => admission.admitDelete(kubelet, PODS, mine))).to.equal(undefined);
    expect(refusal(() => admission.admitUpdate(kubelet, PODS, 'status', theirs, theirs))).to.equal(
      'pods "theirs" is forbidden: node "worker-1" can only update pod status for pods with spec.nodeName set to itself',
    );
    expect(refusal(() => admission.admitDelete(kubelet, PODS, theirs))).to.equal(
      'pods "theirs" is forbidden: node "worker-1" can only delete pods with spec.nodeName set to itself',
    );
    const relabelled = pod('mine', 'worker-1', { labels: { app: 'other' } });
    expect(refusal(() => admission.admitUpdate(kubelet, PODS, 'status', relabelled, mine))).to.equal(
      'pods "mine" is forbidden: node "worker-1" cannot update labels through pod status',
    );
    expect(refusal(() => admission.admitUpdate(kubelet, PODS, '', mine, mine))).to.equal(
      'pods "mine" is forbidden: unexpected operation "UPDATE", node "worker-1" can only create and delete mirror pods',
    );
  });

  it('lets a node create no pod but the mirror of one of its static pods', () => {
    expect(refusal(() => admission.admitCreate(kubelet, PODS, pod('p', 'worker-1')))).to.equal(
      'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "worker-1" can only create mirror pods',
    );
    const mirror = (nodeName: string): Pod =>
      pod('static', nodeName, {
        annotations: { 'kubernetes.io/config.mirror': 'hash' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: 'n', controller: true }],
      });
    expect(refusal(() => admission.admitCreate(kubelet, PODS, mirror('worker-1')))).to.equal(undefined);
    expect(refusal(() => admission.admitCreate(kubelet, PODS, mirror('worker-2')))).to.equal(
      'pods "static" is forbidden: node "worker-1" can only create pods with spec.nodeName set to itself',
    );
  });

  it('lets a node request only tokens bound to a pod of its own, by name and uid', () => {
    const request = (boundObjectRef: TokenRequest['spec']['boundObjectRef']): TokenRequest => ({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { boundObjectRef },
    });
    const mine = pod('mine', 'worker-1');
    const admit = (req: TokenRequest, bound: Pod | undefined) =>
      refusal(() => admission.admitTokenRequest(kubelet, SERVICE_ACCOUNTS, 'default', req, bound));
    expect(admit(request({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'uid-mine' }), mine)).to.equal(
      undefined,
    );
    expect(admit(request(null), undefined)).to.equal(
      'serviceaccounts "default" is forbidden: node requested token not bound to a pod',
    );
    expect(admit(request({ apiVersion: 'v1', kind: 'Pod', name: 'mine' }), mine)).to.equal(
      'serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid',
    );
    expect(admit(request({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'old' }), mine)).to.match(
      /the UID in the bound object reference \(old\) does not match the UID in record/,
    );
    const theirs = pod('theirs', 'worker-2');
    expect(
      admit(request({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'uid-theirs' }), theirs),
    ).to.equal(
      'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
    );
    expect(() =>
      admission.admitTokenRequest(
        kubelet,
        SERVICE_ACCOUNTS,
        'default',
        request({ apiVersion: 'v1', kind: 'Pod', name: 'gone', uid: 'x' }),
        undefined,
      ),
    ).to.throw('pods "gone" not found');
  });

  it('has nothing to say about other resources', () => {
    const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };
    expect(refusal(() => admission.admitCreate(kubelet, DEPLOYMENTS, deployment))).to.equal(undefined);
  });

  it('refuses everything to a member of system:nodes whose name says no node', () => {
    const nameless: UserInfo = { username: 'system:node:', uid: '', groups: ['system:nodes'] };
    expect(refusal(() => admission.admitCreate(nameless, LEASES, lease('x')))).to.equal(
      'leases.coordination.k8s.io "x" is forbidden: could not determine node from user "system:node:"',
    );
  });
});
