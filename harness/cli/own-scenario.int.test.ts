import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crucible } from '../../testing/crucible-cli.js';
import { dockerEngineAnswers } from '../cluster/index.js';
import type { History } from '../history/history.js';

type Provider = 'docker' | 'process';

/** Runs `scenario` (written to `<home>/<name>.yaml`) through the real CLI; its exit, output and history. */
async function runScenario(
  home: string,
  provider: Provider,
  name: string,
  scenario: string[],
): Promise<{ code: number; output: string; history: History }> {
  const file = join(home, `${name}.yaml`);
  await writeFile(file, scenario.join('\n'));
  const out = join(home, 'out');
  const ran = await crucible(home, ['run', '--provider', provider, '--seed', '1', '--out', out, file]);
  const runs = join(out, name, 'runs');
  const [only] = await readdir(runs);
  const history = JSON.parse(await readFile(join(runs, only!, 'history.json'), 'utf8')) as History;
  return { code: ran.code, output: ran.stdout + ran.stderr, history };
}

/** Skips the suite on docker when no engine answers. */
async function skipWithoutEngine(ctx: Mocha.Context, provider: Provider): Promise<void> {
  if (provider === 'docker' && !(await dockerEngineAnswers(2000))) ctx.skip();
}

/** Two Services of type NodePort that leave their node ports to the apiserver. */
const ECHO_WITH_ALLOCATED_NODE_PORTS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: echo, labels: { app: echo } }
spec:
  replicas: 2
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo } }
    spec:
      containers:
        - name: echo
          image: crucible/echo
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /healthz, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: front }
spec:
  type: NodePort
  selector: { app: echo }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Service
metadata: { name: back }
spec:
  type: NodePort
  selector: { app: echo }
  ports: [{ name: http, port: 8080, targetPort: http }]
`;

for (const provider of ['docker', 'process'] as const) {
  describe(`a scenario whose Services take node ports from the apiserver (real CLI, ${provider})`, function () {
    this.timeout(300_000);
    let home: string;

    before(async function () {
      await skipWithoutEngine(this, provider);
      home = await mkdtemp(join(tmpdir(), 'crucible-node-ports-'));
    });
    after(async () => {
      if (home) await rm(home, { recursive: true, force: true });
    });

    it('passes: every node port handed out lies in the cluster’s range and answers on every worker', async () => {
      await writeFile(join(home, 'echo.yaml'), ECHO_WITH_ALLOCATED_NODE_PORTS);
      const { code, output, history } = await runScenario(home, provider, 'allocated-node-ports', [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        'name: allocated-node-ports',
        'cluster: { workers: [{ count: 2 }], nodePortRange: 30100-30119 }',
        'workloads: [{ manifests: [echo.yaml] }]',
        'steadyState: { servicesAnswering: [default/front, default/back] }',
        'load: [{ name: front, service: default/front, rate: 20 }]',
        'steps:',
        '  - kubectl: [get, services, front, back, -o, "jsonpath={.items[*].spec.ports[0].nodePort}"]',
        '    expect: { stdout: { matches: "^301[01][0-9] 301[01][0-9]$" } }',
        '  - sleep: 3s',
        'checks:',
        '  - { name: ports-in-range, type: steps }',
        '  - { name: availability, type: availability, window: whole-run, thresholds: { minSuccessRatio: 0.99 } }',
      ]);
      expect(code, output).to.equal(0);
      expect(history.metadata.aborted, output).to.equal(undefined);
    });
  });
}
