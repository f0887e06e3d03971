/**
 * Sabotage switches: deliberate, documented bugs in the orchestrator's components, each a known
 * way to break a property the harness claims to check. Every one is off by default and turned on
 * only by its own long flag, `--sabotage-<name>` on its component (a cluster spec's `extraArgs`
 * passes it), so that nobody turns one on by accident. `scenarios/sabotage/` runs each one and
 * expects the check that guards the property to catch it (docs/orchestrator.md, "Sabotage
 * switches"). The code of each switch is a few lines at the place it breaks, marked `SABOTAGE`.
 */
export const SABOTAGES = {
  'forward-to-unready-endpoints': {
    component: 'kube-proxy',
    breaks: 'kube-proxy forwards to the not-ready addresses of a Service as well as the ready ones',
  },
  'restart-pods-when-apiserver-unreachable': {
    component: 'kubelet',
    breaks: "the kubelet restarts every pod it runs when it cannot renew its Lease (the apiserver's gone)",
  },
  'replicaset-without-expectations': {
    component: 'controller-manager',
    breaks:
      'the replicaset controller creates pods from its cache alone, without expectations: while the cache lags behind its own creations it creates more',
  },
  'drop-acknowledged-writes': {
    component: 'apiserver',
    breaks: 'the apiserver acknowledges every 5th create of a ConfigMap without writing it to etcd',
  },
  'act-after-losing-lease': {
    component: 'controller-manager',
    breaks:
      'the controller-manager keeps running its controllers after its leader election lost the Lease (two leaders act at once)',
  },
  'endpoints-across-namespaces': {
    component: 'controller-manager',
    breaks: "the endpoints controller lists the pods of every namespace that match a Service's selector",
  },
  'schedule-ignoring-requests': {
    component: 'scheduler',
    breaks: "the scheduler places pods without looking at their resource requests or the nodes' room",
  },
  'evict-ignoring-toleration-seconds': {
    component: 'controller-manager',
    breaks:
      'the node lifecycle controller evicts a pod from a NoExecute-tainted node at once, whatever its tolerationSeconds',
  },
  'statefulset-force-deletes-terminating-pods': {
    component: 'controller-manager',
    breaks:
      'the statefulset controller force-deletes its terminating pods instead of waiting for their kubelets, so an identity runs twice while a node is partitioned',
  },
  'delete-dependents-of-orphaned-owner': {
    component: 'controller-manager',
    breaks:
      'the garbage collector deletes the dependents of an owner deleted with propagationPolicy Orphan instead of releasing them',
  },
} as const satisfies Record<string, { component: string; breaks: string }>;

export type SabotageName = keyof typeof SABOTAGES;

/** The sabotage switches a component was started with; empty in every trusted cluster. */
export type Sabotages = ReadonlySet<SabotageName>;

export const NO_SABOTAGE: Sabotages = new Set();

/** The command-line flag of a switch. */
export function sabotageFlag(name: SabotageName): string {
  return `--sabotage-${name}`;
}

/** The switches of one component, as its command offers them. */
export function sabotagesOfComponent(component: string): SabotageName[] {
  return (Object.keys(SABOTAGES) as SabotageName[]).filter((n) => SABOTAGES[n].component === component);
}
