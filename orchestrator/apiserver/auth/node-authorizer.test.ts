import { expect } from 'chai';

import type { FieldRequirement } from '../../api/selectors/index.js';
import type { Pod } from '../../api/types.js';
import { NodeAuthorizer, type NodeGraph } from './node-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

function pod(namespace: string, name: string, nodeName: string, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, uid: `uid-${name}` },
    spec: { nodeName, containers: [{ name: 'c' }], ...spec },
  };
}

const PODS: Pod[] = [
  pod('team-a', 'mine', 'worker-1', {
    serviceAccountName: 'robot',
    containers: [
      {
        name: 'c',
        env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'from-env', key: 'a' } } }],
        envFrom: [{ secretRef: { name: 'secret-env' } }],
      },
    ],
    volumes: [{ name: 'v', configMap: { name: 'from-volume' } }],
  }),
  pod('team-a', 'theirs', 'worker-2', {
    volumes: [{ name: 'v', configMap: { name: 'other-node-only' } }],
  }),
];

const graph: NodeGraph = {
  getPod: async (ns, name) => PODS.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
  podsOnNode: async (node, ns) => PODS.filter((p) => p.spec.nodeName === node && p.metadata.namespace === ns),
};
const authorizer = new NodeAuthorizer(graph);

const kubelet: UserInfo = {
  username: 'system:node:worker-1',
  uid: '',
  groups: ['system:nodes', 'system:authenticated'],
};

function attrs(
  verb: string,
  resource: string,
  opts: {
    group?: string;
    sub?: string;
    namespace?: string;
    name?: string;
    fieldSelector?: FieldRequirement[];
    user?: UserInfo;
  } = {},
): RequestAttributes {
  return {
    user: opts.user ?? kubelet,
    verb,
    apiGroup: opts.group ?? '',
    resource,
    subresource: opts.sub ?? '',
    namespace: opts.namespace ?? '',
    name: opts.name ?? '',
    resourceRequest: true,
    path: '',
    ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
  };
}

const allowed = async (a: RequestAttributes) => (await authorizer.authorize(a)).allowed;
const onNode = (node: string): FieldRequirement[] => [{ field: 'spec.nodeName', operator: '=', value: node }];

describe('NodeAuthorizer', () => {
  it('has no opinion on users that are no node', async () => {
    for (const user of [
      { username: 'system:node:worker-1', uid: '', groups: ['system:authenticated'] },
      { username: 'alice', uid: '', groups: ['system:nodes'] },
    ]) {
      const decision = await authorizer.authorize(attrs('get', 'nodes', { name: 'worker-1', user }));
      expect(decision).to.deep.equal({ allowed: false, reason: '' });
    }
  });

  it('refuses a member of system:nodes whose name says no node', async () => {
    const user = { username: 'system:node:', uid: '', groups: ['system:nodes'] };
    const decision = await authorizer.authorize(attrs('get', 'nodes', { name: 'x', user }));
    expect(decision.allowed).to.equal(false);
    expect(decision.forbiddenReason).to.equal('unknown node for user "system:node:"');
  });

  it('lets a node read Nodes and write Nodes and their status (NodeRestriction confines the writes)', async () => {
    expect(await allowed(attrs('get', 'nodes', { name: 'worker-1' }))).to.equal(true);
    expect(await allowed(attrs('list', 'nodes'))).to.equal(true);
    expect(await allowed(attrs('create', 'nodes'))).to.equal(true);
    expect(await allowed(attrs('patch', 'nodes', { sub: 'status', name: 'worker-1' }))).to.equal(true);
    expect(await allowed(attrs('delete', 'nodes', { name: 'worker-1' }))).to.equal(false);
    expect(await allowed(attrs('deletecollection', 'nodes'))).to.equal(false);
  });

  it('lets a node keep only its own Lease, in kube-node-lease', async () => {
    const leases = (verb: string, namespace: string, name = '') =>
      allowed(attrs(verb, 'leases', { group: 'coordination.k8s.io', namespace, name }));
    expect(await leases('get', 'kube-node-lease', 'worker-1')).to.equal(true);
    expect(await leases('update', 'kube-node-lease', 'worker-1')).to.equal(true);
    expect(await leases('create', 'kube-node-lease')).to.equal(true);
    expect(await leases('update', 'kube-node-lease', 'worker-2')).to.equal(false);
    expect(await leases('list', 'kube-node-lease')).to.equal(false);
    const elsewhere = await authorizer.authorize(
      attrs('get', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-system', name: 'worker-1' }),
    );
    expect(elsewhere.forbiddenReason).to.equal(
      'can only access leases in the "kube-node-lease" system namespace',
    );
  });

  it('lets a node get only the pods bound to it', async () => {
    expect(await allowed(attrs('get', 'pods', { namespace: 'team-a', name: 'mine' }))).to.equal(true);
    const theirs = await authorizer.authorize(attrs('get', 'pods', { namespace: 'team-a', name: 'theirs' }));
    expect(theirs.allowed).to.equal(false);
    expect(theirs.forbiddenReason).to.equal("no relationship found between node 'worker-1' and this object");
    expect(await allowed(attrs('get', 'pods', { namespace: 'team-a', name: 'missing' }))).to.equal(false);
    expect(
      await allowed(attrs('get', 'pods', { sub: 'status', namespace: 'team-a', name: 'mine' })),
    ).to.equal(false);
  });

  it('lets a node list and watch pods only with the field selector spec.nodeName=<itself>', async () => {
    expect(await allowed(attrs('watch', 'pods', { fieldSelector: onNode('worker-1') }))).to.equal(true);
    expect(await allowed(attrs('list', 'pods', { fieldSelector: onNode('worker-2') }))).to.equal(false);
    const unscoped = await authorizer.authorize(attrs('list', 'pods'));
    expect(unscoped.allowed).to.equal(false);
    expect(unscoped.forbiddenReason).to.equal('can only list/watch pods with spec.nodeName field selector');
    const negated: FieldRequirement[] = [{ field: 'spec.nodeName', operator: '!=', value: 'worker-1' }];
    expect(await allowed(attrs('list', 'pods', { fieldSelector: negated }))).to.equal(false);
    // A watch of one pod by name (metadata.name selector) is a read of that pod.
    expect(await allowed(attrs('watch', 'pods', { namespace: 'team-a', name: 'mine' }))).to.equal(true);
    expect(await allowed(attrs('watch', 'pods', { namespace: 'team-a', name: 'theirs' }))).to.equal(false);
  });

  it('lets a node write pod status and delete pods (NodeRestriction confines both to its own pods), nothing else', async () => {
    expect(
      await allowed(attrs('patch', 'pods', { sub: 'status', namespace: 'team-a', name: 'theirs' })),
    ).to.equal(true);
    expect(await allowed(attrs('delete', 'pods', { namespace: 'team-a', name: 'theirs' }))).to.equal(true);
    expect(await allowed(attrs('update', 'pods', { namespace: 'team-a', name: 'mine' }))).to.equal(false);
    expect(
      await allowed(attrs('create', 'pods', { sub: 'binding', namespace: 'team-a', name: 'mine' })),
    ).to.equal(false);
    expect(await allowed(attrs('deletecollection', 'pods', { namespace: 'team-a' }))).to.equal(false);
  });

  it('lets a node read a ConfigMap or Secret only when a pod bound to it refers to it', async () => {
    const read = (resource: string, name: string, verb = 'get') =>
      allowed(attrs(verb, resource, { namespace: 'team-a', name }));
    expect(await read('configmaps', 'from-env')).to.equal(true);
    expect(await read('configmaps', 'from-volume', 'watch')).to.equal(true);
    expect(await read('secrets', 'secret-env')).to.equal(true);
    expect(await read('configmaps', 'other-node-only')).to.equal(false);
    expect(await read('configmaps', 'secret-env')).to.equal(false);
    const unnamed = await authorizer.authorize(attrs('list', 'configmaps', { namespace: 'team-a' }));
    expect(unnamed.forbiddenReason).to.equal('No Object name found');
    const write = await authorizer.authorize(
      attrs('update', 'configmaps', { namespace: 'team-a', name: 'from-env' }),
    );
    expect(write.forbiddenReason).to.equal('can only read resources of this type');
    const elsewhere = await authorizer.authorize(
      attrs('get', 'configmaps', { namespace: 'team-b', name: 'from-env' }),
    );
    expect(elsewhere.allowed).to.equal(false);
  });

  it('lets a node request tokens only for the service accounts its pods run as', async () => {
    const token = (name: string, namespace = 'team-a') =>
      allowed(attrs('create', 'serviceaccounts', { sub: 'token', namespace, name }));
    expect(await token('robot')).to.equal(true);
    expect(await token('default')).to.equal(false);
    expect(await token('robot', 'team-b')).to.equal(false);
    const read = await authorizer.authorize(
      attrs('get', 'serviceaccounts', { namespace: 'team-a', name: 'robot' }),
    );
    expect(read.forbiddenReason).to.equal('can only create tokens for individual service accounts');
  });

  it('lets a node read Services and Endpoints and record Events, and nothing else', async () => {
    expect(await allowed(attrs('watch', 'services'))).to.equal(true);
    expect(await allowed(attrs('get', 'endpoints', { namespace: 'team-a', name: 'web' }))).to.equal(true);
    expect(await allowed(attrs('create', 'events', { namespace: 'team-a' }))).to.equal(true);
    expect(await allowed(attrs('update', 'services', { namespace: 'team-a', name: 'web' }))).to.equal(false);
    expect(await allowed(attrs('create', 'namespaces'))).to.equal(false);
    expect(await allowed(attrs('list', 'deployments', { group: 'apps' }))).to.equal(false);
    expect(
      await allowed(attrs('create', 'clusterrolebindings', { group: 'rbac.authorization.k8s.io' })),
    ).to.equal(false);
  });

  it('does not allow when the graph cannot answer, and says why in its log reason only', async () => {
    const broken = new NodeAuthorizer({
      getPod: () => Promise.reject(new Error('etcd unavailable')),
      podsOnNode: () => Promise.reject(new Error('etcd unavailable')),
    });
    const decision = await broken.authorize(attrs('get', 'pods', { namespace: 'team-a', name: 'mine' }));
    expect(decision.allowed).to.equal(false);
    expect(decision.forbiddenReason).to.equal(
      "no relationship found between node 'worker-1' and this object",
    );
    expect(decision.reason).to.contain('etcd unavailable');
  });
});
