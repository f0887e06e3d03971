import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crucible } from '../../testing/crucible-cli.js';
import { nightlyIt } from '../../testing/nightly.js';
import { dockerEngineAnswers } from '../cluster/index.js';
import type { History } from '../history/history.js';

type Provider = 'docker' | 'process';

/** Runs `scenario` (written to `<home>/<name>.yaml`) through the real CLI; its exit, output and history. */
async function runScenario(
  home: string,
  provider: Provider,
  name: string,
  scenario: string[],
): Promise<{ code: number; output: string; history?: History }> {
  const file = join(home, `${name}.yaml`);
  await writeFile(file, scenario.join('\n'));
  const out = join(home, 'out');
  const ran = await crucible(home, ['run', '--provider', provider, '--seed', '1', '--out', out, file]);
  const runs = join(out, name, 'runs');
  const only = (await readdir(runs).catch(() => [])).sort().at(-1);
  const history = only
    ? (JSON.parse(await readFile(join(runs, only, 'history.json'), 'utf8')) as History)
    : undefined;
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

    // Every change runs it on the process provider; docker's node ports answer from the host in
    // docker-provider.int.test.ts on every change too.
    (provider === 'process' ? it : nightlyIt)(
      'passes: every node port handed out lies in the cluster’s range and answers on every worker',
      async () => {
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
        expect(history?.metadata.aborted, output).to.equal(undefined);
      },
    );
  });
}

/**
 * The user's own service, not shipped with crucible: a Node.js HTTP program that reads a file of
 * its folder (relative to its working directory, which is the program's folder) and says who
 * runs it.
 */
const MY_API_SERVER = `
const http = require('http');
const { readFileSync } = require('fs');
const greeting = readFileSync('greeting.txt', 'utf8').trim();
console.log('my-api: ' + greeting + ', uid ' + process.getuid() + ', cwd ' + process.cwd());
http
  .createServer((req, res) => res.end(greeting + '\\n'))
  .listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => process.exit(0));
`;

const MY_API_MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: my-api, labels: { app: my-api } }
spec:
  replicas: 2
  selector: { matchLabels: { app: my-api } }
  template:
    metadata: { labels: { app: my-api } }
    spec:
      containers:
        - name: my-api
          image: example.com/my-api:1.0
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: my-api }
spec:
  type: NodePort
  selector: { app: my-api }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

const OWN_PROGRAM_SCENARIO = [
  'apiVersion: crucible.dev/v1alpha1',
  'kind: Scenario',
  'name: own-program',
  'cluster:',
  '  workers: [{ count: 2 }]',
  '  images:',
  '    - { name: example.com/my-api:1.0, path: ./my-api, command: [node, server.js] }',
  'workloads: [{ manifests: [my-api.yaml] }]',
  'steadyState: { servicesAnswering: [default/my-api] }',
  'load: [{ name: my-api, service: default/my-api, rate: 20 }]',
  'faults:',
  '  schedule:',
  '    - { id: kill-one, type: pod-kill, target: one, options: { namespace: default, selector: app=my-api }, at: 1s, for: 3s }',
  'steps:',
  // Confined as every pod is: a user of its own (from 200000 up: its worker's slice of its
  // cluster's block), the program's folder as its working directory.
  '  - kubectl: [logs, deploy/my-api]',
  '    expect: { stdout: { matches: "my-api: hello from my-api, uid [1-9][0-9]{5,7}, cwd /" } }',
  '  - sleep: 5s',
  'checks:',
  '  - { name: runs-confined, type: steps }',
  '  - { name: availability, type: availability, window: whole-run, thresholds: { minSuccessRatio: 0.9 } }',
  '  - { name: self-heal, type: self-heal, window: { during: kill-one }, thresholds: { maxMs: 5000 } }',
];

/** The program's folder under `home`, its files readable by their owner alone, as a private checkout may be. */
async function writeMyApi(home: string): Promise<string> {
  const dir = join(home, 'my-api');
  await mkdir(dir, { mode: 0o700 });
  await writeFile(join(dir, 'server.js'), MY_API_SERVER, { mode: 0o600 });
  await writeFile(join(dir, 'greeting.txt'), 'hello from my-api\n', { mode: 0o600 });
  await writeFile(join(home, 'my-api.yaml'), MY_API_MANIFESTS);
  return dir;
}

describe('a scenario whose Deployment runs the user’s own program (real CLI, docker)', function () {
  this.timeout(300_000);
  let home: string;

  before(async function () {
    await skipWithoutEngine(this, 'docker');
    home = await mkdtemp(join(tmpdir(), 'crucible-own-program-'));
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('passes: the program is copied into the nodes readable by the pods’ users, and runs under a pod kill', async () => {
    await writeMyApi(home);
    const { code, output } = await runScenario(home, 'docker', 'own-program', OWN_PROGRAM_SCENARIO);
    expect(code, output).to.equal(0);
    expect(output).to.match(/node image with example\.com\/my-api:1\.0 (built|is up to date)/);
  });
});

describe('a scenario whose Deployment runs the user’s own program (real CLI, process)', function () {
  this.timeout(300_000);
  let home: string;
  const confined = process.getuid?.() === 0;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-own-program-'));
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('refuses, before booting, a program the pods’ users could not read, saying which path and how to fix it', async function () {
    if (!confined) this.skip(); // pods then run as crucible's own user, who reads the program
    const dir = await writeMyApi(home);
    await chmod(home, 0o755);
    const { code, output } = await runScenario(home, 'process', 'own-program', OWN_PROGRAM_SCENARIO);
    expect(code, output).to.equal(3);
    expect(output).to.include(
      `image example.com/my-api:1.0: ${dir} is not readable by other users (chmod -R o+rX ${dir}); pods run as users of their own here, so the program must be readable by other users`,
    );
  });

  it('passes once the program is readable by other users: run in place, from its folder', async () => {
    const dir = join(home, 'my-api');
    if (!confined) await writeMyApi(home); // else the test before wrote it
    await chmod(home, 0o755);
    await chmod(dir, 0o755);
    for (const file of ['server.js', 'greeting.txt']) await chmod(join(dir, file), 0o644);
    const { code, output } = await runScenario(home, 'process', 'own-program', OWN_PROGRAM_SCENARIO);
    expect(code, output).to.equal(0);
  });
});
