/**
 * The RBAC policy crucible's apiserver creates at start-up, modelled on Kubernetes' bootstrap policy
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) but naming only the resources crucible serves.
 */
import { SIMULATED_NODES_USER } from '../../api/simulated-nodes.js';
import type { PolicyRule, Role, RoleBinding, Subject } from '../../api/types.js';
import { NODE_LEASE_NAMESPACE } from './node-authorizer.js';
import { SYSTEM_AUTHENTICATED, SYSTEM_MASTERS, SYSTEM_UNAUTHENTICATED } from './user-info.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;
const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';
const AUTOSCALING = 'autoscaling';
const COORDINATION = 'coordination.k8s.io';
const AUTHORIZATION = 'authorization.k8s.io';
const POLICY = 'policy';
const NETWORKING = 'networking.k8s.io';
const METRICS = 'metrics.k8s.io';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];
const EVENT_WRITE = ['create', 'update', 'patch'];

/** The label every bootstrap object carries, as in Kubernetes. */
export const BOOTSTRAP_LABEL = { key: 'kubernetes.io/bootstrapping', value: 'rbac-defaults' } as const;
/**
 * The annotation telling the apiserver it may reconcile the object back to its bootstrap content at
 * start-up; an operator who edits an object sets it to "false" to keep the edit.
 */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

/**
 * The user names crucible's components authenticate as. Kubelets are not here: each is
 * `system:node:<node>` in group `system:nodes`, and the Node authorizer, not RBAC, decides for them.
 * The simulated nodes' agent is one credential for many nodes, so it cannot be a node: it is a user
 * of its own, outside `system:nodes`, and RBAC grants it what it needs for every node it runs.
 */
export const COMPONENT_USERS = {
  scheduler: 'system:kube-scheduler',
  controllerManager: 'system:kube-controller-manager',
  proxy: 'system:kube-proxy',
  simulatedNodes: SIMULATED_NODES_USER,
} as const;

/** The one leader-election Lease the scheduler may read and renew (it may create any). */
export const SCHEDULER_LEASE_NAME = 'kube-scheduler';

function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule {
  return { apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) };
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

function metadata(name: string) {
  return {
    name,
    labels: { [BOOTSTRAP_LABEL.key]: BOOTSTRAP_LABEL.value },
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  };
}

function clusterRole(name: string, rules: PolicyRule[]): Role {
  return { apiVersion: RBAC_API_VERSION, kind: 'ClusterRole', metadata: metadata(name), rules };
}

function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: RBAC_API_VERSION, kind: 'Role', metadata: { ...metadata(name), namespace }, rules };
}

function roleBinding(namespace: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: { ...metadata(roleName), namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}

function clusterRoleBinding(roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: metadata(roleName),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

const users = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: 'User', apiGroup: RBAC_GROUP, name }));
const groups = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name }));

// Read access to the non-escalating namespaced resources. `namespaces` is included because, granted
// through a RoleBinding, it lets a tenant read only its own Namespace object.
function viewRules(): PolicyRule[] {
  return [
    rule(
      READ,
      [CORE],
      [
        'pods',
        'pods/status',
        'pods/log',
        'services',
        'services/status',
        'endpoints',
        'configmaps',
        'serviceaccounts',
        'resourcequotas',
        'resourcequotas/status',
        'events',
        'namespaces',
        'namespaces/status',
      ],
    ),
    rule(
      READ,
      [APPS],
      [
        'deployments',
        'deployments/status',
        'deployments/scale',
        'replicasets',
        'replicasets/status',
        'replicasets/scale',
        'statefulsets',
        'statefulsets/status',
        'statefulsets/scale',
        'daemonsets',
        'daemonsets/status',
        'controllerrevisions',
      ],
    ),
    rule(READ, [BATCH], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
    rule(READ, [AUTOSCALING], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, [COORDINATION], ['leases']),
    rule(READ, [POLICY], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, [NETWORKING], ['networkpolicies']),
    // What metrics-server's system:aggregated-metrics-reader adds to view, edit and admin upstream:
    // `kubectl top` for whoever reads the pods. Nodes' metrics take a cluster-wide binding.
    rule(READ, [METRICS], ['pods', 'nodes']),
  ];
}

// Writes a user workload needs. Not status subresources, quotas, endpoints or namespaces: those are
// the system's to set (endpoints left Kubernetes' edit role with CVE-2021-25740).
function editRules(): PolicyRule[] {
  return [
    ...viewRules(),
    // Secrets are not in view (reading them escalates to whatever they unlock), as upstream.
    rule(READ, [CORE], ['secrets']),
    rule(WRITE, [CORE], ['pods', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'events']),
    rule(['create'], [CORE], ['serviceaccounts/token']),
    rule(
      WRITE,
      [APPS],
      [
        'deployments',
        'deployments/scale',
        'replicasets',
        'replicasets/scale',
        'statefulsets',
        'statefulsets/scale',
        'daemonsets',
      ],
    ),
    rule(WRITE, [BATCH], ['jobs', 'cronjobs']),
    rule(WRITE, [AUTOSCALING], ['horizontalpodautoscalers']),
    rule(WRITE, [COORDINATION], ['leases']),
    // As upstream: a tenant may evict its pods (which respects its budgets) and keep budgets.
    rule(['create'], [CORE], ['pods/eviction']),
    rule(WRITE, [POLICY], ['poddisruptionbudgets']),
    rule(WRITE, [NETWORKING], ['networkpolicies']),
  ];
}

function adminRules(): PolicyRule[] {
  return [...editRules(), rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings'])];
}

function kubeSchedulerRules(): PolicyRule[] {
  return [
    rule(EVENT_WRITE, [CORE], ['events']),
    rule(['create'], [COORDINATION], ['leases']),
    rule(['get', 'update'], [COORDINATION], ['leases'], [SCHEDULER_LEASE_NAME]),
    rule(READ, [CORE], ['nodes', 'namespaces', 'services']),
    rule(['get', 'list', 'watch', 'delete'], [CORE], ['pods']),
    rule(['create'], [CORE], ['pods/binding']),
    rule(['update', 'patch'], [CORE], ['pods/status']),
    rule(READ, [APPS], ['replicasets']),
  ];
}

// One identity runs every controller, so this is the union of what Kubernetes grants its
// per-controller service accounts: the garbage collector and namespace deletion act on objects of
// every kind, the workload, endpoints, node-lifecycle, quota and service-account controllers create
// their own kinds.
function kubeControllerManagerRules(): PolicyRule[] {
  return [
    rule(['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection'], ['*'], ['*']),
    rule(['create'], [CORE], ['pods', 'endpoints', 'events', 'serviceaccounts', 'configmaps']),
    rule(['create'], [APPS], ['replicasets', 'controllerrevisions']),
    rule(['create'], [BATCH], ['jobs']),
    rule(['create'], [COORDINATION], ['leases']),
  ];
}

// What the simulated nodes' agent does for each of its nodes, as a kubelet would for its own:
// register the Node and post its status, watch the pods bound to any node (it picks out its own)
// and report their status, and delete them once they are marked for deletion. Its Leases are
// granted by a Role in kube-node-lease only (SIMULATED_NODE_LEASES_ROLE).
function simulatedNodesRules(): PolicyRule[] {
  return [
    rule(['create', 'get', 'list', 'watch', 'update', 'patch'], [CORE], ['nodes']),
    rule(['update', 'patch'], [CORE], ['nodes/status']),
    rule(['get', 'list', 'watch', 'delete'], [CORE], ['pods']),
    rule(['update', 'patch'], [CORE], ['pods/status']),
  ];
}

/** The Role in kube-node-lease that lets the simulated nodes' agent keep its nodes' Leases. */
export const SIMULATED_NODE_LEASES_ROLE = 'crucible:simulated-node-leases';

function nodeProxierRules(): PolicyRule[] {
  return [
    rule(READ, [CORE], ['services', 'endpoints', 'nodes']),
    // crucible's kube-proxy also enforces NetworkPolicies, as kube-router's does: it reads what they select.
    rule(READ, [CORE], ['pods', 'namespaces']),
    rule(READ, [NETWORKING], ['networkpolicies']),
    rule(EVENT_WRITE, [CORE], ['events']),
  ];
}

/**
 * The default ClusterRoles, fresh objects on every call:
 * - `cluster-admin`: everything, every non-resource URL;
 * - `admin`, `edit`, `view`: for granting within a namespace through a RoleBinding; view reads the
 *   workload resources, edit also writes them, admin also manages Roles and RoleBindings;
 * - `system:basic-user` (create selfsubjectaccessreviews), `system:discovery` (GET the discovery,
 *   OpenAPI, version and health URLs), `system:public-info-viewer` (GET version and health URLs);
 * - `system:kube-scheduler`, `system:kube-controller-manager`, `system:node-proxier` (kube-proxy)
 *   and `crucible:simulated-nodes` (the simulated nodes' agent) for crucible's components.
 * There is no role for kubelets: the Node authorizer decides their requests.
 * Each carries the `kubernetes.io/bootstrapping: rbac-defaults` label and the autoupdate annotation.
 */
export function bootstrapClusterRoles(): Role[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', adminRules()),
    clusterRole('edit', editRules()),
    clusterRole('view', viewRules()),
    clusterRole('system:basic-user', [rule(['create'], [AUTHORIZATION], ['selfsubjectaccessreviews'])]),
    clusterRole('system:discovery', [
      urls(
        ['get'],
        [
          '/livez',
          '/readyz',
          '/healthz',
          '/version',
          '/version/',
          '/openapi',
          '/openapi/*',
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
        ],
      ),
    ]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/']),
    ]),
    clusterRole('system:kube-scheduler', kubeSchedulerRules()),
    clusterRole('system:kube-controller-manager', kubeControllerManagerRules()),
    clusterRole('system:node-proxier', nodeProxierRules()),
    clusterRole(COMPONENT_USERS.simulatedNodes, simulatedNodesRules()),
  ];
}

/**
 * The default ClusterRoleBindings, fresh objects on every call, each named after its ClusterRole:
 * cluster-admin to group `system:masters`; system:basic-user and system:discovery to group
 * `system:authenticated`; system:public-info-viewer to groups `system:authenticated` and
 * `system:unauthenticated` (health checks work before credentials, as in Kubernetes; they only take
 * effect if the apiserver admits anonymous requests); system:kube-scheduler and
 * system:kube-controller-manager to the users of the same name; system:node-proxier to user
 * `system:kube-proxy`; crucible:simulated-nodes to the user of the same name. Labelled and annotated
 * as the roles are.
 */
export function bootstrapClusterRoleBindings(): RoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', groups(SYSTEM_MASTERS)),
    clusterRoleBinding('system:basic-user', groups(SYSTEM_AUTHENTICATED)),
    clusterRoleBinding('system:discovery', groups(SYSTEM_AUTHENTICATED)),
    clusterRoleBinding('system:public-info-viewer', groups(SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED)),
    clusterRoleBinding('system:kube-scheduler', users(COMPONENT_USERS.scheduler)),
    clusterRoleBinding('system:kube-controller-manager', users(COMPONENT_USERS.controllerManager)),
    clusterRoleBinding('system:node-proxier', users(COMPONENT_USERS.proxy)),
    clusterRoleBinding(COMPONENT_USERS.simulatedNodes, users(COMPONENT_USERS.simulatedNodes)),
  ];
}

/**
 * The default namespaced Roles, fresh objects on every call: `crucible:simulated-node-leases` in
 * kube-node-lease (get, create, update and patch Leases there), so the simulated nodes' agent
 * renews its nodes' Leases and touches no Lease elsewhere. Within kube-node-lease RBAC cannot tell
 * its nodes' Leases from the kubelets': like its Node rights, these cover every node.
 */
export function bootstrapRoles(): Role[] {
  return [
    role(NODE_LEASE_NAMESPACE, SIMULATED_NODE_LEASES_ROLE, [
      rule(['get', 'create', 'update', 'patch'], [COORDINATION], ['leases']),
    ]),
  ];
}

/** The default RoleBindings, each named after its Role: crucible:simulated-node-leases to its user. */
export function bootstrapRoleBindings(): RoleBinding[] {
  return [
    roleBinding(NODE_LEASE_NAMESPACE, SIMULATED_NODE_LEASES_ROLE, users(COMPONENT_USERS.simulatedNodes)),
  ];
}
