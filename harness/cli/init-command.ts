import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { nearestPackage } from '../../orchestrator/api/package-version.js';
import { UsageError } from './usage-error.js';

/** The editor schema of scenario files, in this installation of crucible (from a build or the sources). */
const SCHEMA = join(nearestPackage(import.meta.url).dir, 'scenarios', 'scenario.schema.json');
const SCENARIO_FILE = 'scenario.yaml';
const MANIFEST_FILE = join('manifests', 'hello.yaml');
/** A cluster's name is the scenario's, and at most this long. */
const NAME_MAX = 40;

/**
 * `crucible init [DIR]`: writes a first scenario to change: an echo app behind a NodePort Service,
 * a load, a pod-kill fault, and availability and self-heal checks, every part commented. It
 * passes as written, on either provider. Refuses to overwrite a file.
 */
export function initCommand(): Command {
  return new Command('init')
    .description('write a small commented scenario and its manifests to start from')
    .argument('[dir]', 'where to write them (created if missing)', '.')
    .action(async (dir: string) => {
      const name = scenarioName(dir);
      const files = [
        { path: join(dir, SCENARIO_FILE), text: scenarioText(name) },
        { path: join(dir, MANIFEST_FILE), text: MANIFEST },
      ];
      const existing: string[] = [];
      for (const f of files) if (await stat(f.path).catch(() => undefined)) existing.push(f.path);
      if (existing.length > 0)
        throw new UsageError(
          'WouldOverwrite',
          `${existing.join(' and ')} already ${existing.length > 1 ? 'exist' : 'exists'}: crucible init writes only new files (give it another folder)`,
        );
      await mkdir(join(dir, 'manifests'), { recursive: true });
      // 'wx': should a file appear meanwhile, fail rather than overwrite it.
      for (const f of files) await writeFile(f.path, f.text, { flag: 'wx' });
      process.stdout.write(
        [
          ...files.map((f) => `wrote ${f.path}`),
          '',
          'next:',
          `  npx crucible validate ${dir}   # checks it without booting anything`,
          `  npx crucible run ${dir}        # runs it (about 30 s) and writes a report under crucible-runs/`,
          '',
        ].join('\n'),
      );
    });
}

/** The folder's name as a scenario name (a DNS label), or `my-scenario`. */
function scenarioName(dir: string): string {
  const label = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, NAME_MAX)
    .replace(/^-+|-+$/g, '');
  return label || 'my-scenario';
}

function scenarioText(name: string): string {
  return `# yaml-language-server: $schema=${SCHEMA}
#
# A first scenario, written by \`crucible init\`: change it to try your own app and faults.
# \`crucible validate\` checks it without booting anything; \`crucible run\` runs it. Every key, fault
# and check is described in crucible's docs/scenarios.md (its "Reference").
apiVersion: crucible.dev/v1alpha1
kind: Scenario
name: ${name}
description: >-
  The hello app serves 20 requests/s on two workers while one of its two pods is killed. Its
  Deployment must bring it back within 10 s, and at least 95% of the requests must succeed.
tags: [first]

# The cluster to boot: the control plane and two workers, so that the two replicas can run on
# different nodes. The provider (docker or local processes) comes from \`crucible run --provider\`.
cluster:
  workers: [{ count: 2 }]

# The namespace the run creates for the app (and removes with it): a run works only in
# namespaces it created, so that it can also run against a cluster of yours (--provider kubeconfig).
namespaces: [hello]

# Manifests applied with kubectl after boot, into the first namespace; paths are relative to this file.
workloads:
  - manifests: [manifests/hello.yaml]

# What must hold before the load and the faults start, and again after heal: every Deployment
# ready (the default), and this Service answering through every worker's node port.
steadyState:
  servicesAnswering: [hello/hello]

# Requests at a constant rate, through the workers' node ports, from before the first fault to the
# end of recovery. Checks pick a load by its name.
load:
  - name: hello
    service: hello/hello
    rate: 20

# What is done to the cluster. 3 s into the faults phase, one pod of the app (picked with the
# run's seed: \`--seed\` repeats a run) is deleted; its Deployment has to replace it. \`for\` is
# when the fault is healed: for a deleted pod there is nothing to undo.
faults:
  schedule:
    - id: kill-a-pod
      type: pod-kill
      target: one
      options: { namespace: hello, selector: app=hello }
      at: 3s
      for: 5s

# What judges the run. Each check type takes its own thresholds; \`crucible check\` judges a stored
# run again, e.g. with \`--set availability.minSuccessRatio=0.99\`.
checks:
  # At least 95% of the requests succeed over the whole run.
  - name: availability
    type: availability
    window: whole-run
    thresholds: { minSuccessRatio: 0.95 }
    select: { load: hello }
  # From the kill, the app has both its replicas ready again within 10 s.
  - name: self-heal
    type: self-heal
    window: { during: kill-a-pod }
    thresholds: { maxMs: 10000 }

# How long the cluster gets to be whole again after heal before the run moves on.
timeouts: { recovery: 20s }
`;
}

const MANIFEST = `# The app under test: two replicas of crucible/echo, an HTTP server on port 8080 that ships with
# crucible (its image needs no registry), ready once /healthz answers.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  labels: { app: hello }
spec:
  replicas: 2
  selector:
    matchLabels: { app: hello }
  template:
    metadata:
      labels: { app: hello }
    spec:
      containers:
        - name: hello
          image: crucible/echo
          ports:
            - { name: http, containerPort: 8080 }
          readinessProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 1
---
# The app on every worker at a node port the cluster allocates (30000-32767): the scenario's load
# and steady state find it by the Service's name.
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  type: NodePort
  selector: { app: hello }
  ports:
    - { name: http, port: 80, targetPort: http }
`;
