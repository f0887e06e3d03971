import { expectCause, expectValid } from './support.test.js';

const group = 'rbac.authorization.k8s.io';
const role = (rules: object[], extra: object = {}) => ({
  apiVersion: `${group}/v1`,
  kind: 'Role',
  metadata: { name: 'pod-reader', namespace: 'default' },
  rules,
  ...extra,
});
const clusterRole = (extra: object) => ({
  apiVersion: `${group}/v1`,
  kind: 'ClusterRole',
  metadata: { name: 'system:node' },
  ...extra,
});
const binding = (kind: string, extra: object) => ({
  apiVersion: `${group}/v1`,
  kind,
  metadata: { name: 'read-pods', ...(kind === 'RoleBinding' ? { namespace: 'default' } : {}) },
  subjects: [{ kind: 'User', name: 'jane', apiGroup: group }],
  roleRef: { apiGroup: group, kind: 'ClusterRole', name: 'pod-reader' },
  ...extra,
});

describe('RBAC schemas', () => {
  describe('rules', () => {
    it('admit resource rules and, in ClusterRoles, non-resource URLs', () => {
      expectValid(
        role([
          {
            apiGroups: [''],
            resources: ['pods', 'pods/log'],
            verbs: ['get', 'list', 'watch'],
            resourceNames: ['web'],
          },
        ]),
        'Role',
      );
      expectValid(clusterRole({ rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), 'ClusterRole');
    });

    it('require verbs', () => {
      expectCause(
        role([{ apiGroups: [''], resources: ['pods'] }]),
        'Role',
        'rules[0].verbs',
        'Required value',
      );
      expectCause(
        role([{ apiGroups: [''], resources: ['pods'], verbs: [] }]),
        'Role',
        'rules[0].verbs',
        'Required value: verbs must contain at least one value',
      );
    });

    it('require api groups and resources for resource rules', () => {
      expectCause(
        role([{ verbs: ['get'] }]),
        'Role',
        'rules[0].apiGroups',
        'resource rules must supply at least one api group',
      );
      expectCause(
        role([{ verbs: ['get'], apiGroups: [''] }]),
        'Role',
        'rules[0].resources',
        'resource rules must supply at least one resource',
      );
    });

    it('reject non-resource URLs in namespaced roles', () => {
      expectCause(
        role([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]),
        'Role',
        'rules[0].nonResourceURLs',
        'namespaced rules cannot apply to non-resource URLs',
      );
    });
  });

  it('names may contain colons, as system roles do', () => {
    expectValid(clusterRole({ rules: [] }), 'ClusterRole');
    expectCause(
      clusterRole({ metadata: { name: 'a/b' } }),
      'ClusterRole',
      'metadata.name',
      "may not contain '/'",
    );
  });

  it('aggregation rules need at least one selector', () => {
    expectValid(
      clusterRole({
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }],
        },
      }),
      'ClusterRole',
    );
    expectCause(
      clusterRole({ aggregationRule: { clusterRoleSelectors: [] } }),
      'ClusterRole',
      'aggregationRule.clusterRoleSelectors',
      'Required value',
    );
  });

  describe('bindings', () => {
    it('admit users, groups and service accounts', () => {
      const subjects = [
        { kind: 'User', name: 'jane', apiGroup: group },
        { kind: 'Group', name: 'system:authenticated' },
        { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
      ];
      expectValid(binding('RoleBinding', { subjects }), 'RoleBinding');
      expectValid(binding('ClusterRoleBinding', { subjects }), 'ClusterRoleBinding');
    });

    it('require roleRef', () => {
      expectCause(binding('RoleBinding', { roleRef: undefined }), 'RoleBinding', 'roleRef', 'Required value');
      expectCause(
        binding('RoleBinding', { roleRef: { apiGroup: group, kind: 'Role' } }),
        'RoleBinding',
        'roleRef.name',
        'Required value',
      );
    });

    it('refer only to roles of the RBAC group', () => {
      expectCause(
        binding('RoleBinding', { roleRef: { apiGroup: 'example.com', kind: 'Role', name: 'r' } }),
        'RoleBinding',
        'roleRef.apiGroup',
        'supported values: "rbac.authorization.k8s.io"',
      );
      expectCause(
        binding('RoleBinding', { roleRef: { apiGroup: group, kind: 'Policy', name: 'r' } }),
        'RoleBinding',
        'roleRef.kind',
        'supported values: "Role", "ClusterRole"',
      );
      expectCause(
        binding('ClusterRoleBinding', { roleRef: { apiGroup: group, kind: 'Role', name: 'r' } }),
        'ClusterRoleBinding',
        'roleRef.kind',
        'supported values: "ClusterRole"',
      );
    });

    it('check subjects', () => {
      expectCause(
        binding('RoleBinding', { subjects: [{ kind: 'Robot', name: 'r2' }] }),
        'RoleBinding',
        'subjects[0].kind',
        'supported values: "ServiceAccount", "User", "Group"',
      );
      expectCause(
        binding('ClusterRoleBinding', { subjects: [{ kind: 'ServiceAccount', name: 'builder' }] }),
        'ClusterRoleBinding',
        'subjects[0].namespace',
        'Required value',
      );
      expectCause(
        binding('RoleBinding', { subjects: [{ kind: 'ServiceAccount', name: 'b', apiGroup: group }] }),
        'RoleBinding',
        'subjects[0].apiGroup',
        'Unsupported value',
      );
    });
  });
});
