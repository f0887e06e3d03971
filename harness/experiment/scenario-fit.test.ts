import { expect } from 'chai';
import { join } from 'node:path';
import {
  ALL_FEATURES,
  type ClusterFeature,
  type ClusterProvider,
  type ClusterSpec,
} from '../cluster/index.js';
import { parseScenario } from '../scenario/index.js';
import { unmetNeeds } from './scenario-fit.js';

/** A provider whose clusters have `features`, and whose spec needs `specReasons` are unmet. */
function provider(features: Iterable<ClusterFeature>, specReasons: string[] = []): ClusterProvider {
  return {
    name: 'kubeconfig',
    features: new Set(features),
    unmetNeeds: (_spec: ClusterSpec) => specReasons,
  } as unknown as ClusterProvider;
}

/** The scenario library's folder: the manifests a test scenario names are its own. */
const SCENARIOS = join(process.cwd(), 'scenarios');
const EXISTING = provider(['worker-nodes', 'packet-filter']);

async function scenario(body: string) {
  return parseScenario(
    `apiVersion: crucible.dev/v1alpha1\nkind: Scenario\nname: fit\n${body}`,
    join(SCENARIOS, 'fit.yaml'),
    {
      seed: 1,
    },
  );
}

describe('what a scenario needs of its cluster', () => {
  it('asks nothing of a cluster of its own that has every feature', async () => {
    const s = await scenario(`
faults:
  schedule:
    - { id: outage, type: control-plane-outage, target: all, at: 1s, for: 1s }
    - { id: cut, type: network-partition, target: worker-1, at: 1s, for: 1s, options: { from: [worker-2] } }
steps:
  - kubectl: [taint, nodes, worker-1, a=b:NoSchedule]
`);
    expect(unmetNeeds(s, provider(ALL_FEATURES))).to.deep.equal([]);
  });

  it('names each fault the cluster cannot do, with what it lacks', async () => {
    const s = await scenario(`
namespaces: [app]
faults:
  schedule:
    - { id: outage, type: control-plane-outage, target: all, at: 1s, for: 1s }
    - { id: slow, type: link-latency, target: apiserver-0->etcd-0, at: 1s, for: 1s, options: { latencyMs: 10 } }
    - { id: gone, type: node-loss, target: worker-1, at: 1s, for: 1s }
    - { id: kill, type: pod-kill, target: all, at: 1s, for: 1s, options: { namespace: app } }
    - { id: drain, type: node-drain, target: worker-1, at: 1s, for: 1s }
`);
    expect(unmetNeeds(s, provider([]))).to.deep.equal([
      "fault outage (control-plane-outage) needs the control plane's components run by crucible (to kill, stop or restart them)",
      "fault slow (link-latency) needs the control plane's links through Toxiproxy",
      'fault gone (node-loss) needs workers crucible can kill, pause, stop or disconnect (its own, or Docker containers matched to the Nodes)',
    ]);
    expect(unmetNeeds(s, EXISTING)).to.have.length(2);
  });

  it("keeps the provider's own reasons about the cluster spec first", async () => {
    const s = await scenario('namespaces: [app]\n');
    expect(unmetNeeds(s, provider([], ['it asks for 3 workers; the cluster has 1']))).to.deep.equal([
      'it asks for 3 workers; the cluster has 1',
    ]);
  });

  it('on a cluster not its own, refuses every place it would act outside the namespaces it creates', async () => {
    const s = await scenario(`
namespaces: [app]
tenants: [{ name: team-a }]
workloads:
  - manifests: [manifests/echo.yaml]
load:
  - { name: web, service: shop/web, rate: 1 }
steadyState: { servicesAnswering: [app/web, kube-system/dns] }
faults:
  schedule:
    - { id: kill, type: pod-kill, target: all, at: 1s, for: 1s, options: { namespace: default } }
steps:
  - kubectl: [apply, -n, app, -f, '-']
  - kubectl: [get, pods, -A]
  - kubectl: [delete, pod, x, --namespace=shop]
  - kubectl: [scale, deploy/web, --replicas=2]
  - kubectl: [rollout, status, -n, other, deploy/web]
  - kubectl: [taint, nodes, worker-1, a=b:NoSchedule]
  - kubectl: [label, node, worker-1, a=b]
  - kubectl: [delete, namespace, team-a]
  - kubectl: [delete, ns, kube-public]
  - kubectl: [create, configmap, c, -nteam-a]
  - kubectl: [replace, -f, '-']
    stdin: |
      apiVersion: v1
      kind: ConfigMap
      metadata: { name: c, namespace: app }
  - kubectl: [apply, -f, '-']
    stdin: |
      apiVersion: v1
      kind: ConfigMap
      metadata: { name: c }
`);
    expect(unmetNeeds(s, EXISTING)).to.deep.equal([
      "load web's Service is in namespace shop, which the run does not create (declare it under namespaces:)",
      'Service kube-system/dns is in namespace kube-system, which the run does not create (declare it under namespaces:)',
      "fault kill's target is in namespace default, which the run does not create (declare it under namespaces:)",
      'step step-3 (kubectl delete pod x) changes objects in namespace shop, which the run does not create',
      "step step-4 (kubectl scale deploy/web --replicas=2) changes objects without -n: it would act in the context's own namespace",
      'step step-6 (kubectl taint nodes worker-1) changes a Node: on an existing cluster, Nodes change only through faults',
      'step step-7 (kubectl label node worker-1) changes a Node: on an existing cluster, Nodes change only through faults',
      'step step-9 (kubectl delete ns kube-public) changes namespace kube-public, which the run does not create',
      "step step-12 (kubectl apply -f -) changes objects without -n: it would act in the context's own namespace",
    ]);
  });

  it('puts workloads without a tenant or a namespace in default, which a cluster not its own refuses', async () => {
    const s = await scenario('workloads:\n  - manifests: [manifests/echo.yaml]\n');
    expect(unmetNeeds(s, EXISTING)).to.deep.equal([
      'a workload is in namespace default, which the run does not create (declare it under namespaces:)',
    ]);
    expect(unmetNeeds(s, provider(['own-cluster']))).to.deep.equal([]);
  });
});
