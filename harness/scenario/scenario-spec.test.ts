import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../support/decode-yaml.js';
import type { Scenario } from './scenario.js';
import { parseScenario, scenarioJsonSchema } from './scenario-spec.js';
import { SCENARIO_SCHEMA_FILE } from './write-scenario-schema.js';

const HEADER = ['apiVersion: crucible.dev/v1alpha1', 'kind: Scenario', 'name: node-loss'];

describe('scenario spec', () => {
  let dir: string;
  /** Where the scenarios are written: manifests and cluster files are in sibling folders. */
  let scenarios: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-scenario-spec-'));
    scenarios = join(dir, 'scenarios');
    await mkdir(scenarios);
    await mkdir(join(dir, 'manifests'));
    await mkdir(join(dir, 'clusters'));
    await writeFile(join(dir, 'manifests', 'echo.yaml'), 'apiVersion: v1\nkind: Service\n');
    await writeFile(join(dir, 'manifests', 'db.yaml'), 'apiVersion: v1\nkind: Service\n');
    await writeFile(
      join(dir, 'clusters', 'ha.yaml'),
      ['apiVersion: crucible.dev/v1alpha1', 'kind: Cluster', 'name: ha', 'etcd: { members: 3 }'].join('\n'),
    );
    await writeFile(
      join(dir, 'clusters', 'bad.yaml'),
      ['apiVersion: crucible.dev/v1alpha1', 'kind: Cluster', 'etcd: { members: 2 }'].join('\n'),
    );
  });

  after(() => rm(dir, { recursive: true, force: true }));

  const parse = (lines: string[], seed = 1) =>
    parseScenario(lines.join('\n'), join(scenarios, 'scenario.yaml'), { seed });

  /** `<line> <path>: <message>` of every problem, as the user sees them. */
  async function problemsOf(lines: string[]): Promise<string[]> {
    const error = await parse(lines).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'a ConfigError').to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems.map(
      (p) =>
        `${p.file === join(scenarios, 'scenario.yaml') ? '' : `${p.file}:`}${p.line} ${p.path}: ${p.message}`,
    );
  }

  it('reads a full scenario into the runner’s form: paths absolute, durations in ms, faults in time order', async () => {
    const lines = [
      ...HEADER,
      'description: A worker dies under load; its pods must come back elsewhere.',
      'tags: [chaos, node-loss]',
      'cluster:',
      '  workers: [{count: 4}]',
      '  timing: kubernetes',
      'tenants:',
      '  - name: tenant-a',
      '  - name: tenant-b',
      '    namespaces: [b-1, b-2]',
      'namespaces: [db]',
      'workloads:',
      '  - tenant: tenant-a',
      '    manifests: [../manifests/echo.yaml]',
      '  - manifests: [../manifests/db.yaml]',
      'steadyState:',
      '  deploymentsAvailable: false',
      '  servicesAnswering: [tenant-a/echo]',
      'load:',
      '  - name: echo',
      '    service: tenant-a/echo',
      '    port: http',
      '    path: /slow',
      '    rate: 200',
      '    duration: 1m30s',
      '    timeout: 500ms',
      'faults:',
      '  schedule:',
      '    - id: lose-a-worker',
      '      type: node-loss',
      '      target: worker-2',
      '      at: 10s',
      '      for: 10s',
      '      options: {restartAfterMs: 100}',
      '      tenant: tenant-a',
      '    - type: link-latency',
      '      at: 2s',
      '      for: 3s',
      '      options: {latencyMs: 200}',
      '  nemesis:',
      '    types: [node-pause]',
      '    start: 30s',
      '    interval: 15s',
      '    duration: 5s',
      '    count: 2',
      '    target: majority',
      'checks:',
      '  - name: availability',
      '    type: availability',
      '    window: {during: lose-a-worker}',
      '    thresholds: {minSuccessRatio: 0.99}',
      '    select: {load: echo}',
      '  - name: heals',
      '    type: self-heal',
      '    window: after-heal',
      '    thresholds: {maxMs: 5000}',
      'timeouts: {boot: 3m, teardown: 10s}',
    ];
    const scenario = await parse(lines);
    const { cluster, ...rest } = scenario;
    expect(rest).to.deep.equal({
      apiVersion: 'crucible.dev/v1alpha1',
      kind: 'Scenario',
      name: 'node-loss',
      description: 'A worker dies under load; its pods must come back elsewhere.',
      tags: ['chaos', 'node-loss'],
      file: join(scenarios, 'scenario.yaml'),
      hash: createHash('sha256').update(lines.join('\n')).digest('hex'),
      tenants: [
        { name: 'tenant-a', namespaces: ['tenant-a'] },
        { name: 'tenant-b', namespaces: ['b-1', 'b-2'] },
      ],
      namespaces: ['db'],
      workloads: [
        { tenant: 'tenant-a', manifests: [join(dir, 'manifests', 'echo.yaml')] },
        { manifests: [join(dir, 'manifests', 'db.yaml')] },
      ],
      steadyState: { deploymentsAvailable: false, servicesAnswering: ['tenant-a/echo'] },
      loads: [
        {
          name: 'echo',
          service: 'tenant-a/echo',
          port: 'http',
          path: '/slow',
          via: 'auto',
          rate: 200,
          durationMs: 90_000,
          timeoutMs: 500,
          noConnectionReuse: false,
          driver: 'builtin',
        },
      ],
      faults: [
        {
          id: 'link-latency-1',
          type: 'link-latency',
          target: 'random',
          options: { latencyMs: 200, jitterMs: 0, stream: 'downstream' },
          atMs: 2000,
          forMs: 3000,
        },
        {
          id: 'lose-a-worker',
          type: 'node-loss',
          target: 'worker-2',
          options: { restartAfterMs: 100 },
          atMs: 10_000,
          forMs: 10_000,
          tenant: 'tenant-a',
        },
        { id: 'nemesis-1', type: 'node-pause', target: 'majority', options: {}, atMs: 30_000, forMs: 5000 },
        { id: 'nemesis-2', type: 'node-pause', target: 'majority', options: {}, atMs: 45_000, forMs: 5000 },
      ],
      checks: [
        {
          name: 'availability',
          type: 'availability',
          window: { during: 'lose-a-worker' },
          thresholds: { minSuccessRatio: 0.99 },
          select: { load: 'echo' },
        },
        { name: 'heals', type: 'self-heal', window: 'after-heal', thresholds: { maxMs: 5000 } },
      ],
      steps: [],
      timeouts: {
        bootMs: 180_000,
        workloadsMs: 60_000,
        steadyStateMs: 60_000,
        recoveryMs: 60_000,
        teardownMs: 10_000,
      },
    } satisfies Omit<Scenario, 'cluster'>);
    expect(cluster).to.include({
      apiVersion: 'crucible.dev/v1alpha1',
      kind: 'Cluster',
      name: 'node-loss',
      timing: 'kubernetes',
    });
    expect(cluster.workers.map((w) => w.count)).to.deep.equal([4]);
    expect(Object.isFrozen(scenario.faults[0]!.options)).to.equal(true);
  });

  it('defaults a minimal scenario: the default cluster named after it, no faults, the usual timeouts', async () => {
    const scenario = await parse(HEADER);
    expect(scenario.cluster.name).to.equal('node-loss');
    expect(scenario.cluster.workers.reduce((n, w) => n + w.count, 0)).to.equal(3);
    expect(scenario).to.deep.include({
      tags: [],
      tenants: [],
      namespaces: [],
      workloads: [],
      steadyState: { deploymentsAvailable: true, servicesAnswering: [] },
      loads: [],
      faults: [],
      checks: [],
      timeouts: {
        bootMs: 120_000,
        workloadsMs: 60_000,
        steadyStateMs: 60_000,
        recoveryMs: 60_000,
        teardownMs: 60_000,
      },
    });
  });

  it('defaults a fault: id <type>-<n> counting per type, target random, options as the fault defaults them', async () => {
    const scenario = await parse([
      ...HEADER,
      'faults:',
      '  schedule:',
      '    - {type: node-loss, at: 1s, for: 1s}',
      '    - {type: node-partition, at: 2s, for: 1s}',
      '    - {id: named, type: node-loss, at: 3s, for: 1s}',
      '    - {type: node-loss, at: 4s, for: 1s}',
      'load:',
      '  - {name: echo, service: default/echo, port: 80, rate: 10}',
    ]);
    expect(scenario.faults.map((f) => f.id)).to.deep.equal([
      'node-loss-1',
      'node-partition-1',
      'named',
      'node-loss-3',
    ]);
    expect(scenario.faults[0]!.target).to.equal('random');
    expect(scenario.faults[1]!.options).to.deep.equal({ from: 'control-plane' });
    expect(scenario.loads).to.deep.equal([
      {
        name: 'echo',
        service: 'default/echo',
        port: '80',
        path: '/',
        rate: 10,
        timeoutMs: 2000,
        noConnectionReuse: false,
        via: 'auto',
        driver: 'builtin',
      },
    ]);
  });

  it('expands the nemesis from the seed', async () => {
    const lines = [
      ...HEADER,
      'faults:',
      '  nemesis: {types: [node-loss, node-pause, link-down], interval: 10s, duration: 2s, count: 8}',
    ];
    const types = async (seed: number) => (await parse(lines, seed)).faults.map((f) => f.type).join(',');
    expect(await types(5)).to.equal(await types(5));
    expect(new Set(await Promise.all([1, 2, 3, 4].map(types))).size).to.be.greaterThan(1);
    expect((await parse(lines)).faults.map((f) => f.atMs)).to.deep.equal([
      0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000,
    ]);
  });

  it('reads the cluster from a referenced Cluster spec file, relative to the scenario file', async () => {
    const scenario = await parse([...HEADER, 'cluster:', '  file: ../clusters/ha.yaml']);
    expect(scenario.cluster.name).to.equal('ha');
    expect(scenario.cluster.etcd.members).to.equal(3);
  });

  it('reports a referenced cluster file’s problems with its own lines, with the scenario’s', async () => {
    expect(
      await problemsOf([...HEADER, 'cluster:', '  file: ../clusters/bad.yaml', 'tags: oops']),
    ).to.deep.equal([
      '5 cluster.file: not a valid Cluster spec (its problems follow)',
      '6 tags: Invalid input: expected array, received string',
      `${join(scenarios, '..', 'clusters', 'bad.yaml')}:3 etcd.members: must be 1 or 3`,
    ]);
    expect(await problemsOf([...HEADER, 'cluster:', '  file: ../clusters/none.yaml'])).to.deep.equal([
      `5 cluster.file: no such file: ${join(dir, 'clusters', 'none.yaml')}`,
    ]);
    expect(
      await problemsOf([...HEADER, 'cluster:', '  file: ../clusters/ha.yaml', '  workers: [{count: 1}]']),
    ).to.deep.equal(['6 cluster.workers: unknown field "workers"']);
  });

  it('reports every problem at once, each at its line', async () => {
    const problems = await problemsOf([
      ...HEADER, //                                                      1-3
      'extra: 1',
      'cluster: {wrkers: 3}',
      'tenants: [{name: tenant-a}, {name: tenant-a}]',
      'workloads:',
      '  - tenant: tenant-z',
      '    manifests: [../manifests/echo.yaml, ../manifests/gone.yaml]',
      'load:',
      '  - {name: echo, service: tenant-a/echo, rate: 1, timeout: 2 s}',
      '  - {name: echo, service: tenant-a/echo, rate: 1}',
      'faults:',
      '  schedule:',
      '    - {type: node-los, at: 1s, for: 1s}',
      '    - type: link-latency',
      '      at: 1s',
      '      for: 10', //                                                 18
      '      tenant: tenant-b',
      '      options:',
      '        latencyMs: -1',
      '        jiter: 5',
      '    - {id: lost, type: node-loss, at: 1s, for: 1s}',
      '    - {id: lost, type: node-loss, at: 1s, for: 1s}',
      'checks:',
      '  - {name: ok, type: availability, window: {during: lost-2}, select: {load: echoo}, thresholds: {minSuccessRatio: 1}}',
      '  - {name: ok, type: availabilty}',
    ]);
    expect(problems).to.deep.equal([
      '4 extra: unknown field "extra"',
      '5 cluster.wrkers: unknown field "wrkers"',
      '6 tenants[1].name: duplicate tenant name "tenant-a"',
      '8 workloads[0].tenant: unknown tenant "tenant-z"; the tenants: tenant-a',
      `9 workloads[0].manifests[1]: no such file: ${join(dir, 'manifests', 'gone.yaml')}`,
      '11 load[0].timeout: invalid duration "2 s": use a number with a unit, e.g. 500ms, 2s, 1m30s',
      '12 load[1].name: duplicate load name "echo"',
      `15 faults.schedule[0].type: unknown fault type "node-los"; the faults: ${problems[7]!.split('the faults: ')[1]}`,
      '18 faults.schedule[1].for: must be a duration such as 500ms, 2s or 1m30s',
      '19 faults.schedule[1].tenant: unknown tenant "tenant-b"; the tenants: tenant-a',
      '21 faults.schedule[1].options.latencyMs: Too small: expected number to be >=0',
      '22 faults.schedule[1].options.jiter: unknown option "jiter" of link-latency; its options: latencyMs, jitterMs, stream',
      '24 faults.schedule[3].id: duplicate fault id "lost"',
      '26 checks[0].window.during: no fault has the id "lost-2"; the faults: node-los-1, link-latency-1, lost',
      '26 checks[0].select.load: unknown load "echoo"; the loads: echo',
      '27 checks[1].name: duplicate check name "ok"',
      '27 checks[1].type: unknown check type "availabilty"; the checks: availability, no-restarts, no-duplicate-identity, self-heal, convergence, namespace-isolation, network-isolation, durability, leader-failover, latency, api-availability, steps, steady-state, load-thresholds',
    ]);
    expect(problems[7]).to.include('node-loss, node-pause');
  });

  it('refuses a namespace of its own that every cluster has, or that is a tenant’s, or twice', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'tenants: [{name: tenant-a}]',
        'namespaces: [default, tenant-a, app, app, kube-system]',
      ]),
    ).to.deep.equal([
      `5 namespaces[0]: "default" is not the run's to create or remove: name a namespace of its own`,
      '5 namespaces[1]: namespace "tenant-a" belongs to tenant "tenant-a" already',
      '5 namespaces[3]: duplicate namespace "app"',
      `5 namespaces[4]: "kube-system" is not the run's to create or remove: name a namespace of its own`,
    ]);
  });

  it('reads a sabotage scenario’s expected outcome, and refuses one that names no declared check', async () => {
    const lines = [
      ...HEADER,
      "cluster: {extraArgs: {kube-proxy: ['--sabotage-forward-to-unready-endpoints']}}",
      'checks: [{name: app available, type: availability, thresholds: {minSuccessRatio: 0.99}}]',
    ];
    const scenario = await parse([...lines, 'expect: {fails: app available}']);
    expect(scenario.expect).to.deep.equal({ fails: 'app available' });
    expect(await problemsOf([...lines, 'expect: {fails: availability}'])).to.deep.equal([
      '6 expect.fails: no check has the name "availability"; the checks: app available',
    ]);
  });

  it('refuses a sabotaged cluster without expect, so that a known bug never runs as a chaos or conformance run', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'cluster:',
        "  extraArgs: {controller-manager: ['--sabotage-endpoints-across-namespaces', '--sabotage-no-such-bug']}",
        '  sabotage: [pods-see-cluster-credentials]',
        'checks: [{name: isolation, type: namespace-isolation}]',
      ]),
    ).to.deep.equal([
      '5 cluster: turns on a known bug (--sabotage-endpoints-across-namespaces, --sabotage-no-such-bug, pods-see-cluster-credentials): a sabotage scenario must say which check catches it, with expect: {fails: <check>}',
      '5 cluster.extraArgs: unknown sabotage --sabotage-no-such-bug; the known bugs: --sabotage-forward-to-unready-endpoints, --sabotage-restart-pods-when-apiserver-unreachable, --sabotage-replicaset-without-expectations, --sabotage-drop-acknowledged-writes, --sabotage-act-after-losing-lease, --sabotage-endpoints-across-namespaces, --sabotage-schedule-ignoring-requests, --sabotage-evict-ignoring-toleration-seconds, --sabotage-statefulset-force-deletes-terminating-pods, --sabotage-delete-dependents-of-orphaned-owner',
    ]);
  });

  it('reports a fault’s missing option at its options, and a fault’s default id taken', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'faults:',
        '  schedule:',
        '    - id: node-loss-2',
        '      type: node-loss',
        '      at: 1s',
        '      for: 1s',
        '    - type: node-loss',
        '      at: 1s',
        '      for: 1s',
        '    - type: component-kill',
        '      at: 1s',
        '      for: 1s',
        '      options: {}',
      ]),
    ).to.deep.equal([
      '10 faults.schedule[1]: duplicate fault id "node-loss-2" (its default id): give it an id',
      '16 faults.schedule[2].options.component: required by component-kill',
    ]);
  });

  it('refuses, before anything boots, a leader target for a component that elects none', async () => {
    const fault = (target: string, component: string) => [
      `    - { type: component-kill, target: ${target}, options: { component: ${component} }, at: 1s, for: 1s }`,
    ];
    expect(
      await problemsOf([
        ...HEADER,
        'faults:',
        '  schedule:',
        ...fault('leader', 'apiserver'),
        ...fault('non-leader', 'kubelet'),
        ...fault('leader', 'scheduler'),
        ...fault('leader', 'etcd'),
        ...fault('majority', 'apiserver'),
      ]),
    ).to.deep.equal([
      '6 faults.schedule[0].target: apiserver has no leader to pick (etcd, scheduler, controller-manager, cloud-controller-manager have one): name an instance, or random, one, minority, majority or all',
      '7 faults.schedule[1].target: kubelet has no leader to pick (etcd, scheduler, controller-manager, cloud-controller-manager have one): name an instance, or random, one, minority, majority or all',
    ]);
  });

  it('reports a nemesis id taken by a scheduled fault, and nemesis types that need options', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'faults:',
        '  schedule:',
        '    - {id: nemesis-2, type: node-loss, at: 1s, for: 1s}',
        '  nemesis:',
        '    types: [node-loss, component-kill]',
        '    interval: 0s',
        '    duration: 1s',
        '    count: 2',
      ]),
    ).to.deep.equal([
      '6 faults.schedule[0].id: duplicate fault id "nemesis-2"',
      '8 faults.nemesis.types[1]: component-kill needs options (component), which a nemesis cannot give: put it in faults.schedule',
      '9 faults.nemesis.interval: must be longer than 0',
    ]);
  });

  it('reports a misspelt threshold at its key’s line and column, naming the thresholds the type takes', async () => {
    const error = await parse([
      ...HEADER,
      'faults: {schedule: [{id: kill, type: pod-kill, options: {namespace: default}, at: 1s, for: 1s}]}',
      'checks:',
      '  - name: up',
      '    type: availability',
      '    thresholds: { minSucessRatio: 0.99 }',
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      {
        file: join(scenarios, 'scenario.yaml'),
        line: 8,
        column: 19,
        path: 'checks[0].thresholds.minSucessRatio',
        message:
          'unknown threshold "minSucessRatio" (availability takes minSuccessRatio, maxErrorBurstMs); did you mean "minSuccessRatio"?',
      },
    ]);
  });

  it('checks each check’s thresholds and select against its type: types, ranges, required keys, unknown keys', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'faults: {schedule: [{id: kill, type: pod-kill, options: {namespace: default}, at: 1s, for: 1s}]}',
        'checks:',
        '  - {name: a, type: availability, thresholds: {minSuccessRatio: 99}}',
        '  - {name: b, type: self-heal, window: {during: kill}, thresholds: {maxMs: 5s}}',
        '  - {name: c, type: no-restarts, thresholds: {maxRestarts: 1.5}, select: {pod: echo}}',
        '  - {name: d, type: convergence, window: after-heal}',
        '  - {name: e, type: latency}',
        '  - {name: f, type: durability, thresholds: {maxLost: 0}}',
        '  - {name: g, type: namespace-isolation, thresholds: {minOtherTenantSuccessRatio: 0.9}}',
      ]),
    ).to.deep.equal([
      '6 checks[0].thresholds.minSuccessRatio: threshold "minSuccessRatio" must be a ratio between 0 and 1 (0.99 means 99%), got 99',
      '7 checks[1].thresholds.maxMs: threshold "maxMs" must be a number of milliseconds (5000, not "5s"), got "5s"',
      '8 checks[2].thresholds.maxRestarts: threshold "maxRestarts" must be a whole number, 0 or more, got 1.5',
      '8 checks[2].select.pod: unknown select key "pod" (no-restarts selects by namespace, node)',
      '9 checks[3].thresholds: missing threshold "withinMs" (convergence needs it)',
      '10 checks[4].thresholds: latency needs at least one of maxP50Ms, maxP90Ms, maxP99Ms, maxMaxMs',
      '11 checks[5].thresholds.maxLost: unknown threshold "maxLost" (durability takes no thresholds)',
      '12 checks[6].thresholds.minOtherTenantSuccessRatio: threshold "minOtherTenantSuccessRatio" needs select "otherNamespace" (whose load to measure)',
    ]);
  });

  it('reports windows and checks that need a fault in a scenario without any', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'checks:',
        '  - {name: a, type: convergence, window: after-heal, thresholds: {withinMs: 1000}}',
        '  - {name: b, type: self-heal, thresholds: {maxMs: 1000}}',
        '  - {name: c, type: availability, window: {during: kill}, thresholds: {minSuccessRatio: 0.9}}',
      ]),
    ).to.deep.equal([
      '5 checks[0].window: after-heal starts when the last fault is healed, and the scenario has no faults: use whole-run, or add a fault',
      "6 checks[1].type: self-heal measures from a fault's injection, and the scenario has no faults: add a fault, or drop the check",
      '7 checks[2].window.during: no fault has the id "kill"; the scenario declares no faults',
    ]);
  });

  it('reads a k6 load: its driver, ramping stages, a request mix, thresholds and a script of its own, and adds the load-thresholds check', async () => {
    await writeFile(join(scenarios, 'load.js'), 'export default function () {}\n');
    const scenario = await parse([
      ...HEADER,
      'load:',
      '  - name: ramp',
      '    service: default/echo',
      '    driver: k6',
      '    stages: [{duration: 10s, target: 50}, {duration: 5s, target: 0}]',
      '    requests: [{path: /a, weight: 3}, {method: POST, path: /b, body: {x: 1}}]',
      "    thresholds: {http_req_failed: ['rate<0.01']}",
      '  - {name: mine, service: default/echo, driver: auto, script: load.js}',
    ]);
    const [ramp, mine] = scenario.loads;
    expect(ramp).to.deep.include({
      driver: 'k6',
      stages: [
        { durationMs: 10_000, target: 50 },
        { durationMs: 5_000, target: 0 },
      ],
      startRate: 0,
      thresholds: { http_req_failed: ['rate<0.01'] },
    });
    expect(ramp!.requests).to.have.length(2);
    expect(mine).to.include({ driver: 'auto', script: join(scenarios, 'load.js') });
    expect(scenario.checks).to.deep.equal([
      { name: 'k6-thresholds', type: 'load-thresholds', window: 'whole-run', thresholds: {} },
    ]);
  });

  it('reports a k6 load’s mistakes: a missing script, stages beside a rate, thresholds on the builtin driver', async () => {
    const problems = await problemsOf([
      ...HEADER,
      'load:',
      '  - {name: a, service: default/echo, driver: k6, script: gone.js}',
      '  - {name: b, service: default/echo, rate: 5, stages: [{duration: 1s, target: 5}]}',
      "  - {name: c, service: default/echo, rate: 5, thresholds: {http_req_failed: ['rate<0.1']}}",
    ]);
    expect(problems.join('\n'))
      .to.match(/5 load\[0\]\.script: no such file: .*gone\.js/)
      .and.match(/6 load\[1\]\.rate: give either rate \(and duration\) or stages/)
      .and.match(/7 load\[2\]\.thresholds: thresholds needs the k6 driver/);
  });

  it('accepts a check window during a nemesis fault', async () => {
    const scenario = await parse([
      ...HEADER,
      'faults: {nemesis: {types: [node-loss], interval: 10s, duration: 2s, count: 2}}',
      'checks: [{name: a, type: availability, window: {during: nemesis-2}, thresholds: {minSuccessRatio: 0.9}}]',
    ]);
    expect(scenario.checks[0]!.window).to.deep.equal({ during: 'nemesis-2' });
  });

  it('reads steps: kubectl with its expectation (contains as a list), eventually, capture, always, sleep', async () => {
    const scenario = await parse([
      ...HEADER,
      'tenants: [{ name: tenant-a }]',
      'steps:',
      '  - id: watch',
      '    kubectl: [get, pods, -n, conf]',
      '    expect: { stdout: { lines: { min: 2, matching: Running } } }',
      '    always: { until: roll }',
      '  - kubectl: [get, cm, x, -o, "jsonpath={.metadata.resourceVersion}"]',
      '    capture: rv',
      '  - id: roll',
      '    kubectl: [rollout, status, deploy/web]',
      '    as: tenant-a',
      '    eventually: 20s',
      '    expect: { exitCode: 1, stderr: { contains: Forbidden } }',
      '  - sleep: 2s',
      '  - kubectl: [get, --raw, "/api?rv=${rv}"]',
    ]);
    expect(scenario.steps).to.deep.equal([
      {
        kind: 'kubectl',
        id: 'watch',
        args: ['get', 'pods', '-n', 'conf'],
        expect: { exitCode: 0, stdout: { lines: { min: 2, matching: 'Running' } } },
        always: { until: 'roll', intervalMs: 250 },
        timeoutMs: 30_000,
      },
      {
        kind: 'kubectl',
        id: 'step-2',
        args: ['get', 'cm', 'x', '-o', 'jsonpath={.metadata.resourceVersion}'],
        expect: { exitCode: 0 },
        capture: 'rv',
        timeoutMs: 30_000,
      },
      {
        kind: 'kubectl',
        id: 'roll',
        args: ['rollout', 'status', 'deploy/web'],
        as: 'tenant-a',
        expect: { exitCode: 1, stderr: { contains: ['Forbidden'] } },
        eventuallyMs: 20_000,
        timeoutMs: 30_000,
      },
      { kind: 'sleep', id: 'step-4', ms: 2000 },
      {
        kind: 'kubectl',
        id: 'step-5',
        args: ['get', '--raw', '/api?rv=${rv}'],
        expect: { exitCode: 0 },
        timeoutMs: 30_000,
      },
    ]);
  });

  it('judges kubectl steps by a steps check when the scenario declares none, as k6 thresholds are', async () => {
    const steps = ['steps:', '  - sleep: 1s', '  - kubectl: [get, pods]'];
    expect((await parse([...HEADER, ...steps])).checks).to.deep.equal([
      { name: 'steps', type: 'steps', window: 'whole-run', thresholds: {} },
    ]);
    // A check of that name but another type keeps its name; the steps are still judged.
    const named = await parse([...HEADER, ...steps, 'checks: [{name: steps, type: no-restarts}]']);
    expect(named.checks.map((c) => `${c.name}:${c.type}`)).to.deep.equal([
      'steps:no-restarts',
      'kubectl-steps:steps',
    ]);
    // A declared steps check, of one step or all, is the only one.
    const declared = await parse([
      ...HEADER,
      ...steps,
      'checks: [{name: s, type: steps, select: {step: step-2}}]',
    ]);
    expect(declared.checks.map((c) => c.name)).to.deep.equal(['s']);
    // Sleeps alone expect nothing.
    expect((await parse([...HEADER, 'steps: [{sleep: 1s}]'])).checks).to.deep.equal([]);
  });

  it('reports steps that are neither or both kinds, unknown tenants, uncaptured names and bad always targets', async () => {
    expect(
      await problemsOf([
        ...HEADER,
        'steps:',
        '  - kubectl: [get, pods]',
        '    sleep: 1s',
        '  - id: a',
        '    kubectl: [get, "${nothing}"]',
        '    as: nobody',
        '  - kubectl: [get, pods]',
        '    always: { until: a }',
        '  - sleep: 1s',
        '    capture: x',
        '  - kubectl: [get, pods]',
        '    expect: { stdout: { matches: "(" } }',
        'checks:',
        '  - { name: s, type: steps, select: { step: b } }',
      ]),
    ).to.deep.equal([
      '5 steps[0]: a step is one of kubectl: [args] or sleep: <duration>',
      '7 steps[1]: ${nothing}: no earlier step captures "nothing"',
      '9 steps[1].as: unknown tenant "nobody"; the scenario declares no tenants',
      '11 steps[2].always.until: "a" must come after this step',
      '13 steps[3].capture: only a kubectl step takes this',
      '15 steps[4].expect.stdout.matches: must be a regular expression (JavaScript syntax)',
      '17 checks[0].select.step: unknown step "b"; the steps: step-1, a, step-3, step-4, step-5',
    ]);
  });

  it('keeps scenarios/scenario.schema.json up to date', async () => {
    const committed: unknown = JSON.parse(await readFile(SCENARIO_SCHEMA_FILE, 'utf8'));
    expect(committed, 'stale: run npx tsx harness/scenario/write-scenario-schema.ts').to.deep.equal(
      scenarioJsonSchema(),
    );
  });

  it('gives each check type’s thresholds and select in the JSON Schema, closed to other keys', () => {
    const schema = scenarioJsonSchema() as any;
    const check = schema.properties.checks.items;
    const availability = check.allOf.find((c: any) => c.if.properties.type.const === 'availability');
    expect(availability.then.required).to.deep.equal(['thresholds']);
    const { thresholds, select } = availability.then.properties;
    expect(thresholds.additionalProperties).to.equal(false);
    expect(thresholds.required).to.deep.equal(['minSuccessRatio']);
    expect(thresholds.properties.minSuccessRatio).to.include({ type: 'number', minimum: 0, maximum: 1 });
    expect(Object.keys(select.properties)).to.deep.equal(['load', 'namespace']);
    expect(select.additionalProperties).to.equal(false);
    const durability = check.allOf.find((c: any) => c.if.properties.type.const === 'durability');
    expect(durability.then.properties.thresholds.properties).to.deep.equal({});
    expect(durability.then.required).to.equal(undefined);
  });

  it('describes each fault type’s options in the JSON Schema', () => {
    const schema = scenarioJsonSchema() as any;
    const fault = schema.properties.faults.properties.schedule.items;
    const latency = fault.allOf.find((c: any) => c.if.properties.type.const === 'link-latency');
    expect(latency.then.properties.options.required).to.deep.equal(['latencyMs']);
    expect(fault.properties.type.enum).to.include('node-loss');
  });
});
