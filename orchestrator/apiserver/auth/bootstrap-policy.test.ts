import { expect } from 'chai';

import { METRICS_GROUP, METRICS_RESOURCES } from '../../api/resource-metrics.js';
import { RESOURCES } from '../../api/resources.js';
import type { KubeObject, RoleBinding } from '../../api/types.js';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
} from './bootstrap-policy.js';
import { RbacAuthorizer } from './rbac-authorizer.js';
import { nonResourceAttributes, type RequestAttributes } from './request-attributes.js';
import { StaticRbacSource } from './static-rbac-source.js';
import type { UserInfo } from './user-info.js';

const RBAC = 'rbac.authorization.k8s.io';

const authorizer = new RbacAuthorizer(
  new StaticRbacSource({
    clusterRoles: bootstrapClusterRoles(),
    clusterRoleBindings: bootstrapClusterRoleBindings(),
    roles: bootstrapRoles(),
    roleBindings: [
      ...bootstrapRoleBindings(),
      ...(['admin', 'edit', 'view'] as const).map((name): RoleBinding => ({
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { name: `${name}s`, namespace: 'team-a' },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name },
        subjects: [{ kind: 'Group', apiGroup: RBAC, name: `team-a-${name}s` }],
      })),
    ],
  }),
);

const person = (username: string, ...groups: string[]): UserInfo => ({
  username,
  uid: '',
  groups: [...groups, 'system:authenticated'],
});

function can(user: UserInfo, verb: string, target: string, namespace = '', name = ''): Promise<boolean> {
  // target is [group/]resource[/subresource], with the core group written as "core".
  const [groupOrResource, ...rest] = target.split('/');
  const grouped = groupOrResource!.includes('.') || groupOrResource === 'apps' || groupOrResource === 'core';
  const [resource, subresource = ''] = grouped ? rest : [groupOrResource!, ...rest];
  const attrs: RequestAttributes = {
    user,
    verb,
    apiGroup: grouped && groupOrResource !== 'core' ? groupOrResource! : '',
    resource: resource!,
    subresource,
    namespace,
    name,
    resourceRequest: true,
    path: '',
  };
  return authorizer.authorize(attrs).then((d) => d.allowed);
}

function canGet(user: UserInfo, path: string, verb = 'get'): Promise<boolean> {
  return authorizer.authorize(nonResourceAttributes(user, verb, path)).then((d) => d.allowed);
}

describe('bootstrap policy', () => {
  const objects: KubeObject[] = [
    ...bootstrapClusterRoles(),
    ...bootstrapClusterRoleBindings(),
    ...bootstrapRoles(),
    ...bootstrapRoleBindings(),
  ];

  it('labels every object rbac-defaults and marks it for automatic update', () => {
    for (const o of objects) {
      expect(o.metadata.labels, o.metadata.name).to.deep.equal({
        'kubernetes.io/bootstrapping': 'rbac-defaults',
      });
      expect(o.metadata.annotations, o.metadata.name).to.deep.equal({
        'rbac.authorization.kubernetes.io/autoupdate': 'true',
      });
      expect(o.apiVersion).to.equal('rbac.authorization.k8s.io/v1');
    }
  });

  it('has ClusterRoles with unique names, and binds each by a ClusterRoleBinding of the same name to an existing role', () => {
    const roles = bootstrapClusterRoles();
    const names = roles.map((r) => r.metadata.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(roles.every((r) => r.kind === 'ClusterRole')).to.equal(true);
    for (const b of bootstrapClusterRoleBindings()) {
      expect(b.kind).to.equal('ClusterRoleBinding');
      expect(b.metadata.name).to.equal(b.roleRef.name);
      expect(b.roleRef).to.deep.include({ apiGroup: RBAC, kind: 'ClusterRole' });
      expect(names).to.include(b.roleRef.name);
    }
  });

  it('binds each namespaced Role by a RoleBinding of the same name in its namespace', () => {
    const roles = bootstrapRoles();
    for (const b of bootstrapRoleBindings()) {
      expect(b.roleRef).to.deep.include({ apiGroup: RBAC, kind: 'Role', name: b.metadata.name });
      expect(
        roles.some(
          (r) => r.metadata.name === b.roleRef.name && r.metadata.namespace === b.metadata.namespace,
        ),
        b.metadata.name,
      ).to.equal(true);
    }
  });

  it('includes the roles Kubernetes users expect by name', () => {
    expect(bootstrapClusterRoles().map((r) => r.metadata.name)).to.include.members([
      'cluster-admin',
      'admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:node-proxier',
    ]);
  });

  it('binds no role to kubelets: the Node authorizer, not RBAC, decides for nodes', () => {
    for (const b of [...bootstrapClusterRoleBindings(), ...bootstrapRoleBindings()]) {
      expect(b.subjects?.map((s) => s.name) ?? [], b.metadata.name).to.not.include('system:nodes');
    }
  });

  it('returns fresh objects on every call', () => {
    const first = bootstrapClusterRoles();
    first[0]!.rules!.push({ verbs: ['get'], nonResourceURLs: ['/x'] });
    first[0]!.metadata.labels!.changed = 'yes';
    expect(bootstrapClusterRoles()[0]).to.not.deep.equal(first[0]);
  });

  it('names only resources and subresources crucible serves', () => {
    const served = new Set([
      ...RESOURCES.flatMap((r) => [
        `${r.group}:${r.resource}`,
        ...r.subresources.map((s) => `${r.group}:${r.resource}/${s}`),
      ]),
      ...METRICS_RESOURCES.map((r) => `${METRICS_GROUP}:${r.resource}`),
    ]);
    for (const role of bootstrapClusterRoles()) {
      for (const rule of role.rules ?? []) {
        for (const group of rule.apiGroups ?? []) {
          if (group === '*' || group === 'authorization.k8s.io') continue;
          for (const resource of rule.resources ?? []) {
            expect(
              served.has(`${group}:${resource}`),
              `${role.metadata.name}: ${group}:${resource}`,
            ).to.equal(true);
          }
        }
      }
    }
  });

  describe('namespace roles granted by RoleBinding in team-a', () => {
    const viewer = person('v', 'team-a-views');
    const editor = person('e', 'team-a-edits');
    const admin = person('a', 'team-a-admins');

    it('view reads workloads but changes nothing', async () => {
      expect(await can(viewer, 'list', 'pods', 'team-a')).to.equal(true);
      expect(await can(viewer, 'get', 'pods/log', 'team-a', 'p')).to.equal(true);
      expect(await can(viewer, 'watch', 'apps/deployments', 'team-a')).to.equal(true);
      expect(await can(viewer, 'get', 'coordination.k8s.io/leases', 'team-a', 'l')).to.equal(true);
      expect(await can(viewer, 'create', 'pods', 'team-a')).to.equal(false);
      expect(await can(viewer, 'update', 'apps/deployments/scale', 'team-a', 'web')).to.equal(false);
      expect(await can(viewer, 'list', 'rbac.authorization.k8s.io/roles', 'team-a')).to.equal(false);
    });

    it('edit also writes workloads and requests service account tokens, but not roles', async () => {
      expect(await can(editor, 'create', 'apps/deployments', 'team-a')).to.equal(true);
      expect(await can(editor, 'create', 'serviceaccounts/token', 'team-a', 'default')).to.equal(true);
      expect(await can(viewer, 'create', 'serviceaccounts/token', 'team-a', 'default')).to.equal(false);
      expect(await can(editor, 'delete', 'services', 'team-a', 's')).to.equal(true);
      expect(await can(editor, 'deletecollection', 'configmaps', 'team-a')).to.equal(true);
      expect(await can(editor, 'create', 'rbac.authorization.k8s.io/rolebindings', 'team-a')).to.equal(false);
    });

    it('view, edit and admin read the resource metrics of the pods, as upstream aggregates them', async () => {
      for (const user of [viewer, editor, admin]) {
        expect(await can(user, 'list', 'metrics.k8s.io/pods', 'team-a')).to.equal(true);
        expect(await can(user, 'get', 'metrics.k8s.io/pods', 'team-a', 'p')).to.equal(true);
        expect(await can(user, 'list', 'metrics.k8s.io/pods', 'team-b')).to.equal(false);
        // Node metrics are cluster-scoped: a RoleBinding does not reach them.
        expect(await can(user, 'list', 'metrics.k8s.io/nodes')).to.equal(false);
      }
    });

    it('view reads NetworkPolicies, edit and admin also write them, as upstream aggregates them', async () => {
      const netpol = 'networking.k8s.io/networkpolicies';
      for (const verb of ['get', 'list', 'watch'])
        expect(await can(viewer, verb, netpol, 'team-a', verb === 'get' ? 'deny' : '')).to.equal(true);
      expect(await can(viewer, 'create', netpol, 'team-a')).to.equal(false);
      for (const user of [editor, admin]) {
        for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection'])
          expect(await can(user, verb, netpol, 'team-a', 'deny'), verb).to.equal(true);
        expect(await can(user, 'create', netpol, 'team-b')).to.equal(false);
      }
    });

    it('admin also manages Roles and RoleBindings, in its namespace only', async () => {
      expect(await can(admin, 'create', 'rbac.authorization.k8s.io/rolebindings', 'team-a')).to.equal(true);
      expect(await can(admin, 'update', 'rbac.authorization.k8s.io/roles', 'team-a', 'r')).to.equal(true);
      expect(await can(admin, 'create', 'rbac.authorization.k8s.io/rolebindings', 'team-b')).to.equal(false);
      expect(await can(admin, 'create', 'rbac.authorization.k8s.io/clusterrolebindings')).to.equal(false);
      expect(await can(admin, 'delete', 'namespaces', 'team-a', 'team-a')).to.equal(false);
    });
  });

  describe('every authenticated user', () => {
    const someone = person('someone');

    it('can create selfsubjectaccessreviews', async () => {
      expect(await can(someone, 'create', 'authorization.k8s.io/selfsubjectaccessreviews')).to.equal(true);
    });

    it('can GET the discovery, OpenAPI, version and health URLs', async () => {
      for (const path of [
        '/api',
        '/api/v1',
        '/apis',
        '/apis/apps/v1',
        '/version',
        '/healthz',
        '/livez',
        '/readyz',
        '/openapi/v2',
      ]) {
        expect(await canGet(someone, path), path).to.equal(true);
      }
    });

    it('cannot POST to them, read /metrics, or touch any resource', async () => {
      expect(await canGet(someone, '/api', 'post')).to.equal(false);
      expect(await canGet(someone, '/metrics')).to.equal(false);
      expect(await can(someone, 'list', 'pods')).to.equal(false);
      expect(await can(someone, 'get', 'namespaces', 'team-a', 'team-a')).to.equal(false);
    });
  });

  it('lets anonymous requests see health and version only', async () => {
    const anonymous: UserInfo = { username: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };
    expect(await canGet(anonymous, '/healthz')).to.equal(true);
    expect(await canGet(anonymous, '/version')).to.equal(true);
    expect(await canGet(anonymous, '/api')).to.equal(false);
    expect(await can(anonymous, 'create', 'authorization.k8s.io/selfsubjectaccessreviews')).to.equal(false);
  });

  it('gives system:masters everything through cluster-admin', async () => {
    const root = person('root', 'system:masters');
    expect(await can(root, 'create', 'rbac.authorization.k8s.io/clusterrolebindings')).to.equal(true);
    expect(await canGet(root, '/metrics')).to.equal(true);
  });

  describe('the component roles', () => {
    const scheduler = person('system:kube-scheduler');
    const controllerManager = person('system:kube-controller-manager');
    const kubelet = person('system:node:worker-1', 'system:nodes');
    const simulatedNodes = person('crucible:simulated-nodes');
    const proxy = person('system:kube-proxy');

    it('let the scheduler watch pods and nodes, bind pods and renew its own lease', async () => {
      expect(await can(scheduler, 'watch', 'pods')).to.equal(true);
      expect(await can(scheduler, 'list', 'nodes')).to.equal(true);
      expect(await can(scheduler, 'create', 'pods/binding', 'team-a', 'p')).to.equal(true);
      expect(await can(scheduler, 'patch', 'pods/status', 'team-a', 'p')).to.equal(true);
      expect(await can(scheduler, 'create', 'events', 'team-a')).to.equal(true);
      expect(
        await can(scheduler, 'update', 'coordination.k8s.io/leases', 'kube-system', 'kube-scheduler'),
      ).to.equal(true);
      expect(
        await can(
          scheduler,
          'update',
          'coordination.k8s.io/leases',
          'kube-system',
          'kube-controller-manager',
        ),
      ).to.equal(false);
      expect(await can(scheduler, 'create', 'pods', 'team-a')).to.equal(false);
      expect(await can(scheduler, 'update', 'nodes', '', 'worker-1')).to.equal(false);
    });

    it('let the controller-manager run workloads, endpoints, node lifecycle and garbage collection', async () => {
      expect(await can(controllerManager, 'create', 'apps/replicasets', 'team-a')).to.equal(true);
      expect(await can(controllerManager, 'create', 'pods', 'team-a')).to.equal(true);
      expect(await can(controllerManager, 'delete', 'pods', 'team-a', 'p')).to.equal(true);
      expect(await can(controllerManager, 'update', 'apps/deployments/status', 'team-a', 'web')).to.equal(
        true,
      );
      expect(await can(controllerManager, 'create', 'endpoints', 'team-a')).to.equal(true);
      expect(await can(controllerManager, 'patch', 'nodes', '', 'worker-1')).to.equal(true);
      expect(await can(controllerManager, 'update', 'nodes/status', '', 'worker-1')).to.equal(true);
      expect(await can(controllerManager, 'deletecollection', 'configmaps', 'team-a')).to.equal(true);
      expect(await can(controllerManager, 'create', 'coordination.k8s.io/leases', 'kube-system')).to.equal(
        true,
      );
      expect(await can(controllerManager, 'create', 'namespaces')).to.equal(false);
      expect(
        await can(controllerManager, 'create', 'rbac.authorization.k8s.io/clusterrolebindings'),
      ).to.equal(false);
    });

    it('give a kubelet nothing beyond what every authenticated user has', async () => {
      expect(await can(kubelet, 'create', 'nodes')).to.equal(false);
      expect(await can(kubelet, 'patch', 'nodes/status', '', 'worker-1')).to.equal(false);
      expect(await can(kubelet, 'watch', 'pods')).to.equal(false);
      expect(await can(kubelet, 'create', 'events', 'team-a')).to.equal(false);
      expect(await can(kubelet, 'create', 'authorization.k8s.io/selfsubjectaccessreviews')).to.equal(true);
    });

    it('let the simulated nodes’ agent run all its nodes: Nodes, their status, their pods, and Leases in kube-node-lease only', async () => {
      expect(await can(simulatedNodes, 'create', 'nodes')).to.equal(true);
      expect(await can(simulatedNodes, 'watch', 'nodes')).to.equal(true);
      expect(await can(simulatedNodes, 'patch', 'nodes/status', '', 'sim-7')).to.equal(true);
      expect(await can(simulatedNodes, 'watch', 'pods')).to.equal(true);
      expect(await can(simulatedNodes, 'patch', 'pods/status', 'team-a', 'p')).to.equal(true);
      expect(await can(simulatedNodes, 'delete', 'pods', 'team-a', 'p')).to.equal(true);
      expect(
        await can(simulatedNodes, 'patch', 'coordination.k8s.io/leases', 'kube-node-lease', 'sim-7'),
      ).to.equal(true);
      expect(await can(simulatedNodes, 'create', 'coordination.k8s.io/leases', 'kube-node-lease')).to.equal(
        true,
      );
      expect(
        await can(simulatedNodes, 'update', 'coordination.k8s.io/leases', 'kube-system', 'kube-scheduler'),
      ).to.equal(false);
      expect(await can(simulatedNodes, 'delete', 'nodes', '', 'sim-7')).to.equal(false);
      expect(await can(simulatedNodes, 'create', 'pods', 'team-a')).to.equal(false);
      expect(await can(simulatedNodes, 'get', 'configmaps', 'team-a', 'c')).to.equal(false);
      expect(await can(simulatedNodes, 'create', 'namespaces')).to.equal(false);
    });

    it('let kube-proxy watch services and endpoints, read what NetworkPolicies select, and record events, nothing more', async () => {
      expect(await can(proxy, 'watch', 'services')).to.equal(true);
      expect(await can(proxy, 'list', 'endpoints')).to.equal(true);
      expect(await can(proxy, 'get', 'endpoints', 'team-a', 'web')).to.equal(true);
      expect(await can(proxy, 'create', 'events', 'team-a')).to.equal(true);
      // It enforces NetworkPolicies too: policies, pods and namespaces, read only.
      expect(await can(proxy, 'watch', 'networking.k8s.io/networkpolicies')).to.equal(true);
      expect(await can(proxy, 'list', 'pods')).to.equal(true);
      expect(await can(proxy, 'list', 'namespaces')).to.equal(true);
      expect(await can(proxy, 'update', 'services', 'team-a', 'web')).to.equal(false);
      expect(await can(proxy, 'delete', 'pods', 'team-a', 'web')).to.equal(false);
      expect(await can(proxy, 'get', 'secrets', 'team-a', 'token')).to.equal(false);
    });
  });
});
