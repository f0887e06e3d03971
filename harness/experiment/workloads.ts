import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunningCluster } from '../cluster/index.js';
import type { Scenario } from '../scenario/scenario.js';

const run = promisify(execFile);

/** The namespace a workload goes to: its tenant's first namespace, else the scenario's first, else `default`. */
export function workloadNamespace(scenario: Scenario, tenant: string | undefined): string {
  return (
    scenario.tenants.find((t) => t.name === tenant)?.namespaces[0] ?? scenario.namespaces[0] ?? 'default'
  );
}

/** Every namespace the scenario's workloads live in. */
export function workloadNamespaces(scenario: Scenario): string[] {
  return [...new Set(scenario.workloads.map((w) => workloadNamespace(scenario, w.tenant)))];
}

/** Applies the manifests with the real kubectl, as a user would (admin's kubeconfig). */
export async function applyWorkloads(cluster: RunningCluster, scenario: Scenario): Promise<void> {
  for (const workload of scenario.workloads) {
    const namespace = workloadNamespace(scenario, workload.tenant);
    for (const file of workload.manifests) {
      await run('kubectl', [
        '--kubeconfig',
        cluster.credentials.kubeconfig,
        'apply',
        '--validate=false',
        '-n',
        namespace,
        '-f',
        file,
      ]).catch((e: { stderr?: string; message: string }) => {
        throw new Error(`kubectl apply -n ${namespace} -f ${file}: ${e.stderr?.trim() || e.message}`);
      });
    }
  }
}
