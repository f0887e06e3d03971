import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment } from '../../orchestrator/api/types.js';
import type { RunningCluster } from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import { resolveServiceTargets } from '../load/service-targets.js';
import type { Scenario } from '../scenario/scenario.js';

const run = promisify(execFile);
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;

/** The namespace a workload goes to: its tenant's first namespace, else `default`. */
export function workloadNamespace(scenario: Scenario, tenant: string | undefined): string {
  return scenario.tenants.find((t) => t.name === tenant)?.namespaces[0] ?? 'default';
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

/**
 * The steady state of Chaos Toolkit: every Deployment of the workloads' namespaces has all its
 * replicas ready, and every Service named answers 200 through every worker's node port.
 */
export async function waitForSteadyState(
  client: ApiClient,
  cluster: RunningCluster,
  scenario: Scenario,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let why = 'not checked yet';
  await pollUntil(
    async () => {
      signal?.throwIfAborted();
      if (scenario.steadyState.deploymentsAvailable)
        for (const namespace of workloadNamespaces(scenario))
          for (const d of (await client.list<Deployment>(DEPLOYMENTS, namespace)).items)
            if ((d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1)) {
              why = `deployment ${namespace}/${d.metadata.name}: ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1} ready`;
              return false;
            }
      for (const service of scenario.steadyState.servicesAnswering) {
        const [namespace, name] = service.split('/') as [string, string];
        for (const target of await resolveServiceTargets(client, cluster.record.workers, namespace, name)) {
          const res = await request(target.url, { reset: true, headersTimeout: 2000 }).catch(() => undefined);
          await res?.body.dump();
          if (res?.statusCode !== 200) {
            why = `service ${service} does not answer through ${target.node} (${target.url})`;
            return false;
          }
        }
      }
      return true;
    },
    timeoutMs,
    () => `the steady state: ${why}`,
    250,
  );
}
