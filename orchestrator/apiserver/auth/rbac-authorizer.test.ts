import { expect } from 'chai';

import { RESOURCES } from '../../api/resources.js';
import type { PolicyRule, Role, RoleBinding, Subject } from '../../api/types.js';
import { bootstrapClusterRoles } from './bootstrap-policy.js';
import { RbacAuthorizer, type RbacSource } from './rbac-authorizer.js';
import { nonResourceAttributes, type RequestAttributes } from './request-attributes.js';
import { StaticRbacSource, type RbacObjects } from './static-rbac-source.js';
import type { UserInfo } from './user-info.js';

const RBAC = 'rbac.authorization.k8s.io';
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

const user = (username: string, ...groups: string[]): UserInfo => ({
  username,
  uid: `uid-${username}`,
  groups: [...groups, 'system:authenticated'],
});
const alice = user('alice');

interface Target {
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function onResource(who: UserInfo, verb: string, resource: string, target: Target = {}): RequestAttributes {
  return {
    user: who,
    verb,
    apiGroup: target.group ?? '',
    resource,
    subresource: target.subresource ?? '',
    namespace: target.namespace ?? '',
    name: target.name ?? '',
    resourceRequest: true,
    path: '',
  };
}

const userSubject = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });

function role(name: string, rules: PolicyRule[], namespace?: string): Role {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: namespace ? 'Role' : 'ClusterRole',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    rules,
  };
}

function binding(
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Subject[],
  namespace?: string,
): RoleBinding {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: RBAC, ...roleRef },
    subjects,
  };
}

function authorizerWith(objects: RbacObjects): RbacAuthorizer {
  return new RbacAuthorizer(new StaticRbacSource({ clusterRoles: bootstrapClusterRoles(), ...objects }));
}

async function allowed(authorizer: RbacAuthorizer, attrs: RequestAttributes): Promise<boolean> {
  return (await authorizer.authorize(attrs)).allowed;
}

describe('RbacAuthorizer', () => {
  describe('a user bound to ClusterRole edit by a RoleBinding in team-a', () => {
    const authorizer = authorizerWith({
      roleBindings: [
        binding('alice-edit', { kind: 'ClusterRole', name: 'edit' }, [userSubject('alice')], 'team-a'),
      ],
    });

    it('can create pods in team-a, and the reason names the binding', async () => {
      expect(
        await authorizer.authorize(onResource(alice, 'create', 'pods', { namespace: 'team-a' })),
      ).to.deep.equal({
        allowed: true,
        reason: 'RBAC: allowed by RoleBinding "alice-edit/team-a" of ClusterRole "edit" to User "alice"',
      });
    });

    it('can manage deployments and scale them in team-a', async () => {
      for (const verb of VERBS) {
        const attrs = onResource(alice, verb, 'deployments', { group: 'apps', namespace: 'team-a' });
        expect(await allowed(authorizer, attrs), verb).to.equal(true);
      }
      const scale = onResource(alice, 'update', 'deployments', {
        group: 'apps',
        namespace: 'team-a',
        name: 'web',
        subresource: 'scale',
      });
      expect(await allowed(authorizer, scale)).to.equal(true);
    });

    it('cannot set status, quotas or endpoints in team-a: those are the system’s', async () => {
      const ns = { namespace: 'team-a', name: 'x' };
      expect(
        await allowed(authorizer, onResource(alice, 'update', 'pods', { ...ns, subresource: 'status' })),
      ).to.equal(false);
      expect(await allowed(authorizer, onResource(alice, 'create', 'resourcequotas', ns))).to.equal(false);
      expect(await allowed(authorizer, onResource(alice, 'update', 'endpoints', ns))).to.equal(false);
      expect(
        await allowed(authorizer, onResource(alice, 'create', 'rolebindings', { ...ns, group: RBAC })),
      ).to.equal(false);
    });

    it('is denied every verb on every resource of team-b', async () => {
      for (const r of RESOURCES) {
        for (const verb of VERBS) {
          for (const name of ['', 'x']) {
            const attrs = onResource(alice, verb, r.resource, { group: r.group, namespace: 'team-b', name });
            expect(await allowed(authorizer, attrs), `${verb} ${r.resource} ${name}`).to.equal(false);
            for (const subresource of r.subresources) {
              const sub = { ...attrs, subresource, name: 'x' };
              expect(await allowed(authorizer, sub), `${verb} ${r.resource}/${subresource}`).to.equal(false);
            }
          }
        }
      }
    });

    it('is denied every verb on every resource across all namespaces and at the cluster scope', async () => {
      for (const r of RESOURCES) {
        for (const verb of VERBS) {
          const attrs = onResource(alice, verb, r.resource, { group: r.group });
          expect(await allowed(authorizer, attrs), `${verb} ${r.resource}`).to.equal(false);
        }
      }
    });

    it('is denied cluster-scoped writes to namespaces, nodes and clusterroles', async () => {
      const writes = [
        onResource(alice, 'create', 'namespaces'),
        onResource(alice, 'delete', 'namespaces', { name: 'team-b' }),
        onResource(alice, 'create', 'nodes'),
        onResource(alice, 'patch', 'nodes', { name: 'worker-1', subresource: 'status' }),
        onResource(alice, 'create', 'clusterroles', { group: RBAC }),
        onResource(alice, 'update', 'clusterroles', { group: RBAC, name: 'edit' }),
        onResource(alice, 'create', 'clusterrolebindings', { group: RBAC }),
      ];
      for (const attrs of writes)
        expect(await allowed(authorizer, attrs), `${attrs.verb} ${attrs.resource}`).to.equal(false);
    });

    it('can read its own Namespace object but neither change nor delete it', async () => {
      // The apiserver reports requests on /api/v1/namespaces/team-a with namespace "team-a".
      const own = { namespace: 'team-a', name: 'team-a' };
      expect(await allowed(authorizer, onResource(alice, 'get', 'namespaces', own))).to.equal(true);
      for (const verb of ['update', 'patch', 'delete']) {
        expect(await allowed(authorizer, onResource(alice, verb, 'namespaces', own)), verb).to.equal(false);
      }
    });

    it('explains a denial the way Kubernetes logs it', async () => {
      const decision = await authorizer.authorize(onResource(alice, 'list', 'pods', { namespace: 'team-b' }));
      expect(decision).to.deep.equal({
        allowed: false,
        reason:
          'RBAC: no rules authorize user "alice" with groups ["system:authenticated"] to "list" resource "pods" in namespace "team-b"',
      });
      const named = await authorizer.authorize(
        onResource(alice, 'get', 'deployments', { group: 'apps', name: 'web', subresource: 'scale' }),
      );
      expect(named.reason).to.equal(
        'RBAC: no rules authorize user "alice" with groups ["system:authenticated"] to "get" resource "deployments.apps/scale" named "web" cluster-wide',
      );
    });
  });

  describe('resourceNames', () => {
    const authorizer = authorizerWith({
      roles: [
        role(
          'app-config',
          [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'], resourceNames: ['app'] }],
          'team-a',
        ),
      ],
      roleBindings: [binding('b', { kind: 'Role', name: 'app-config' }, [userSubject('alice')], 'team-a')],
    });

    it('grants the named object', async () => {
      for (const verb of ['get', 'update', 'patch', 'delete']) {
        const attrs = onResource(alice, verb, 'configmaps', { namespace: 'team-a', name: 'app' });
        expect(await allowed(authorizer, attrs), verb).to.equal(true);
      }
    });

    it('does not grant other objects', async () => {
      expect(
        await allowed(
          authorizer,
          onResource(alice, 'get', 'configmaps', { namespace: 'team-a', name: 'other' }),
        ),
      ).to.equal(false);
    });

    it('never grants requests without a name: list, watch, create, deletecollection', async () => {
      for (const verb of ['list', 'watch', 'create', 'deletecollection']) {
        expect(
          await allowed(authorizer, onResource(alice, verb, 'configmaps', { namespace: 'team-a' })),
          verb,
        ).to.equal(false);
      }
    });
  });

  describe('subresources', () => {
    const authorizer = authorizerWith({
      roles: [
        role('log-reader', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }], 'team-a'),
        role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], 'team-a'),
        role('scaler', [{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] }], 'team-a'),
      ],
      roleBindings: [
        binding('logs', { kind: 'Role', name: 'log-reader' }, [userSubject('alice')], 'team-a'),
        binding('pods', { kind: 'Role', name: 'pod-reader' }, [userSubject('bob')], 'team-a'),
        binding('scale', { kind: 'Role', name: 'scaler' }, [userSubject('carol')], 'team-a'),
      ],
    });
    const inTeamA = { namespace: 'team-a', name: 'web-1' };

    it('a pods/log rule grants the log but not the pod', async () => {
      expect(
        await allowed(authorizer, onResource(alice, 'get', 'pods', { ...inTeamA, subresource: 'log' })),
      ).to.equal(true);
      expect(await allowed(authorizer, onResource(alice, 'get', 'pods', inTeamA))).to.equal(false);
    });

    it('a pods rule grants neither the log nor the status', async () => {
      const bob = user('bob');
      expect(await allowed(authorizer, onResource(bob, 'get', 'pods', inTeamA))).to.equal(true);
      expect(
        await allowed(authorizer, onResource(bob, 'get', 'pods', { ...inTeamA, subresource: 'log' })),
      ).to.equal(false);
      expect(
        await allowed(authorizer, onResource(bob, 'get', 'pods', { ...inTeamA, subresource: 'status' })),
      ).to.equal(false);
    });

    it('a */scale rule grants the scale subresource of every resource in its groups, and nothing else', async () => {
      const carol = user('carol');
      const apps = { ...inTeamA, group: 'apps' };
      expect(
        await allowed(
          authorizer,
          onResource(carol, 'update', 'deployments', { ...apps, subresource: 'scale' }),
        ),
      ).to.equal(true);
      expect(
        await allowed(
          authorizer,
          onResource(carol, 'update', 'replicasets', { ...apps, subresource: 'scale' }),
        ),
      ).to.equal(true);
      expect(await allowed(authorizer, onResource(carol, 'update', 'deployments', apps))).to.equal(false);
      expect(
        await allowed(
          authorizer,
          onResource(carol, 'update', 'deployments', { ...apps, subresource: 'status' }),
        ),
      ).to.equal(false);
    });
  });

  describe('wildcards', () => {
    const authorizer = authorizerWith({
      roles: [
        role('anything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], 'team-a'),
        role('apps-only', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }], 'team-a'),
      ],
      roleBindings: [
        binding('all', { kind: 'Role', name: 'anything' }, [userSubject('alice')], 'team-a'),
        binding('apps', { kind: 'Role', name: 'apps-only' }, [userSubject('bob')], 'team-a'),
      ],
    });

    it('* in groups, resources and verbs grants everything in the binding’s namespace, subresources included', async () => {
      const requests = [
        onResource(alice, 'deletecollection', 'pods', { namespace: 'team-a' }),
        onResource(alice, 'update', 'pods', { namespace: 'team-a', name: 'p', subresource: 'status' }),
        onResource(alice, 'create', 'rolebindings', { namespace: 'team-a', group: RBAC }),
        onResource(alice, 'escalate', 'roles', { namespace: 'team-a', group: RBAC, name: 'r' }),
      ];
      for (const attrs of requests) expect(await allowed(authorizer, attrs), attrs.resource).to.equal(true);
    });

    it('* still grants nothing outside the binding’s namespace', async () => {
      expect(
        await allowed(authorizer, onResource(alice, 'get', 'pods', { namespace: 'team-b', name: 'p' })),
      ).to.equal(false);
      expect(await allowed(authorizer, onResource(alice, 'list', 'nodes'))).to.equal(false);
    });

    it('a * resource is limited to the rule’s API groups', async () => {
      const bob = user('bob');
      expect(
        await allowed(
          authorizer,
          onResource(bob, 'get', 'replicasets', { namespace: 'team-a', group: 'apps', name: 'r' }),
        ),
      ).to.equal(true);
      expect(
        await allowed(authorizer, onResource(bob, 'get', 'pods', { namespace: 'team-a', name: 'p' })),
      ).to.equal(false);
    });
  });

  describe('subjects', () => {
    const authorizer = authorizerWith({
      roleBindings: [
        binding(
          'devs',
          { kind: 'ClusterRole', name: 'view' },
          [{ kind: 'Group', apiGroup: RBAC, name: 'team-a-devs' }],
          'team-a',
        ),
        binding(
          'builder',
          { kind: 'ClusterRole', name: 'edit' },
          [{ kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }],
          'team-a',
        ),
        binding(
          'local-sa',
          { kind: 'ClusterRole', name: 'view' },
          [{ kind: 'ServiceAccount', name: 'reader' }],
          'team-a',
        ),
      ],
      clusterRoleBindings: [
        binding('unqualified-sa', { kind: 'ClusterRole', name: 'cluster-admin' }, [
          { kind: 'ServiceAccount', name: 'default' },
        ]),
      ],
    });

    it('a Group subject grants its members and no one else', async () => {
      const list = (who: UserInfo) => onResource(who, 'list', 'pods', { namespace: 'team-a' });
      expect(await allowed(authorizer, list(user('dave', 'team-a-devs')))).to.equal(true);
      expect(await allowed(authorizer, list(user('erin', 'team-b-devs')))).to.equal(false);
      expect(await allowed(authorizer, list(user('team-a-devs')))).to.equal(false);
    });

    it('a ServiceAccount subject grants user system:serviceaccount:<namespace>:<name>', async () => {
      const create = (username: string) =>
        onResource(user(username), 'create', 'pods', { namespace: 'team-a' });
      const decision = await authorizer.authorize(create('system:serviceaccount:ci:builder'));
      expect(decision).to.deep.equal({
        allowed: true,
        reason:
          'RBAC: allowed by RoleBinding "builder/team-a" of ClusterRole "edit" to ServiceAccount "builder/ci"',
      });
      expect(await allowed(authorizer, create('system:serviceaccount:team-a:builder'))).to.equal(false);
      expect(await allowed(authorizer, create('builder'))).to.equal(false);
    });

    it('a ServiceAccount subject without namespace in a RoleBinding means the binding’s namespace', async () => {
      const list = (username: string) => onResource(user(username), 'list', 'pods', { namespace: 'team-a' });
      expect(await allowed(authorizer, list('system:serviceaccount:team-a:reader'))).to.equal(true);
      expect(await allowed(authorizer, list('system:serviceaccount:ci:reader'))).to.equal(false);
    });

    it('a ServiceAccount subject without namespace in a ClusterRoleBinding matches no one', async () => {
      const attrs = onResource(user('system:serviceaccount:default:default'), 'list', 'pods', {
        namespace: 'default',
      });
      expect(await allowed(authorizer, attrs)).to.equal(false);
    });
  });

  describe('ClusterRoleBindings', () => {
    const authorizer = authorizerWith({
      clusterRoleBindings: [
        binding('global-view', { kind: 'ClusterRole', name: 'view' }, [userSubject('alice')]),
      ],
    });

    it('grant in every namespace and across all namespaces', async () => {
      for (const namespace of ['team-a', 'team-b', '']) {
        expect(
          await allowed(authorizer, onResource(alice, 'list', 'pods', { namespace })),
          namespace,
        ).to.equal(true);
      }
    });

    it('grant only what the role holds', async () => {
      expect(
        await allowed(authorizer, onResource(alice, 'create', 'pods', { namespace: 'team-a' })),
      ).to.equal(false);
    });
  });

  describe('members of system:masters', () => {
    const authorizer = new RbacAuthorizer(new StaticRbacSource({}));
    const admin = user('root', 'system:masters');

    it('are allowed everything without any RBAC object', async () => {
      expect(
        await allowed(authorizer, onResource(admin, 'delete', 'namespaces', { name: 'team-a' })),
      ).to.equal(true);
      expect(
        await allowed(authorizer, onResource(admin, 'escalate', 'clusterroles', { group: RBAC, name: 'x' })),
      ).to.equal(true);
      expect(await allowed(authorizer, nonResourceAttributes(admin, 'get', '/metrics'))).to.equal(true);
    });

    it('is a privilege of the group, not of a user named after it', async () => {
      expect(await allowed(authorizer, onResource(user('system:masters'), 'list', 'pods'))).to.equal(false);
    });
  });

  describe('non-resource URLs', () => {
    const authorizer = authorizerWith({
      clusterRoles: [
        ...bootstrapClusterRoles(),
        role('log-reader', [{ nonResourceURLs: ['/logs/*', '/metrics'], verbs: ['get'] }]),
      ],
      clusterRoleBindings: [
        binding('logs', { kind: 'ClusterRole', name: 'log-reader' }, [userSubject('alice')]),
      ],
      roleBindings: [
        binding('admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [userSubject('bob')], 'team-a'),
      ],
    });

    it('a trailing * matches every path with that prefix', async () => {
      expect(await allowed(authorizer, nonResourceAttributes(alice, 'get', '/logs/'))).to.equal(true);
      expect(
        await allowed(authorizer, nonResourceAttributes(alice, 'get', '/logs/kubelet/today.log')),
      ).to.equal(true);
      expect(await allowed(authorizer, nonResourceAttributes(alice, 'get', '/logs'))).to.equal(false);
      expect(await allowed(authorizer, nonResourceAttributes(alice, 'get', '/logsearch'))).to.equal(false);
    });

    it('a URL without * matches only itself, and only with a listed verb', async () => {
      expect(await allowed(authorizer, nonResourceAttributes(alice, 'get', '/metrics'))).to.equal(true);
      expect(await allowed(authorizer, nonResourceAttributes(alice, 'get', '/metrics/slis'))).to.equal(false);
      expect(await allowed(authorizer, nonResourceAttributes(alice, 'post', '/metrics'))).to.equal(false);
    });

    it('are not granted by a RoleBinding, even to cluster-admin', async () => {
      expect(await allowed(authorizer, nonResourceAttributes(user('bob'), 'get', '/metrics'))).to.equal(
        false,
      );
    });

    it('a rule for URLs grants no resources, and a rule for resources no URLs', async () => {
      expect(await allowed(authorizer, onResource(alice, 'get', 'logs', { name: 'x' }))).to.equal(false);
      const viewer = authorizerWith({
        clusterRoleBindings: [binding('v', { kind: 'ClusterRole', name: 'view' }, [userSubject('carol')])],
      });
      expect(await allowed(viewer, nonResourceAttributes(user('carol'), 'get', '/api/v1/pods'))).to.equal(
        false,
      );
    });
  });

  describe('when RBAC objects cannot be resolved', () => {
    it('denies with the resolution error as its forbidden reason, as kube-apiserver reports it', async () => {
      const authorizer = authorizerWith({
        roleBindings: [
          binding('b', { kind: 'ClusterRole', name: 'ghost' }, [userSubject('alice')], 'team-a'),
        ],
      });
      const decision = await authorizer.authorize(onResource(alice, 'list', 'pods', { namespace: 'team-a' }));
      expect(decision.allowed).to.equal(false);
      expect(decision.forbiddenReason).to.equal(
        'RBAC: clusterrole.rbac.authorization.k8s.io "ghost" not found',
      );
      expect(decision.reason).to.match(
        /^RBAC: no rules authorize user "alice".*; RBAC: clusterrole.*"ghost" not found$/,
      );
    });

    it('still allows what another binding grants', async () => {
      const authorizer = authorizerWith({
        roleBindings: [
          binding('broken', { kind: 'Role', name: 'missing' }, [userSubject('alice')], 'team-a'),
          binding('works', { kind: 'ClusterRole', name: 'view' }, [userSubject('alice')], 'team-a'),
        ],
      });
      expect(await allowed(authorizer, onResource(alice, 'list', 'pods', { namespace: 'team-a' }))).to.equal(
        true,
      );
    });

    it('looks a RoleBinding’s Role up in the binding’s namespace only', async () => {
      const authorizer = authorizerWith({
        roles: [role('reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }], 'team-a')],
        roleBindings: [binding('b', { kind: 'Role', name: 'reader' }, [userSubject('alice')], 'team-b')],
      });
      const decision = await authorizer.authorize(onResource(alice, 'list', 'pods', { namespace: 'team-b' }));
      expect(decision.allowed).to.equal(false);
      expect(decision.forbiddenReason).to.equal('RBAC: role.rbac.authorization.k8s.io "reader" not found');
    });

    it('aggregates several errors and never rejects when the source fails', async () => {
      const failing: RbacSource = {
        listClusterRoleBindings: () => Promise.reject(new Error('etcd unavailable')),
        listRoleBindings: () => Promise.reject(new Error('cache not synced')),
        getClusterRole: () => Promise.resolve(undefined),
        getRole: () => Promise.resolve(undefined),
      };
      const decision = await new RbacAuthorizer(failing).authorize(
        onResource(alice, 'get', 'pods', { namespace: 'team-a', name: 'p' }),
      );
      expect(decision.allowed).to.equal(false);
      expect(decision.forbiddenReason).to.equal('RBAC: [etcd unavailable, cache not synced]');
    });
  });
});
