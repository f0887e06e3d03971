import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible } from '../../testing/crucible-cli.js';
import { dockerEngineAnswers } from '../cluster/index.js';
import type { History } from '../history/history.js';
import { findK6 } from '../load/index.js';
import { NIGHTLY } from '../../testing/nightly.js';

const ECHO = fileURLToPath(new URL('../../scenarios/manifests/echo.yaml', import.meta.url));
const NODE_LOSS = fileURLToPath(new URL('../../scenarios/chaos/node-loss.yaml', import.meta.url));

// The real k6 and toxiproxy-server cannot come from the package registries: CI puts them on PATH.
// Where they are absent (a user's clone), these tests are pending, and their titles say why.
const k6 = await findK6({ findImage: async () => undefined }).catch(() => undefined);
const toxiproxyServer = (process.env.PATH ?? '')
  .split(':')
  .some((dir) => dir !== '' && existsSync(join(dir, 'toxiproxy-server')));
const docker = await dockerEngineAnswers(2000);
const pendingUnless = (ready: boolean, why: string) =>
  ready ? it : (title: string) => it.skip(`${title} — pending: ${why}`);

/** The single run a scenario wrote into `out`: its history, its verdicts. */
async function onlyRun(
  out: string,
  scenario: string,
): Promise<{ history: History; verdicts: { check: string; outcome: string }[] }> {
  const runs = join(out, scenario, 'runs');
  const [run] = await readdir(runs);
  const read = async (file: string) => JSON.parse(await readFile(join(runs, run!, file), 'utf8'));
  return { history: await read('history.json'), verdicts: await read('verdicts.json') };
}

describe('experiments on the real k6 and the real Toxiproxy (real CLI)', function () {
  this.timeout(300_000);
  let home: string;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-real-tools-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  /** A pod-kill experiment whose load runs on k6 with `thresholds`. */
  async function k6Scenario(name: string, thresholds: string): Promise<string> {
    const file = join(home, `${name}.yaml`);
    await writeFile(
      file,
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        `name: ${name}`,
        'cluster: {workers: [{count: 2}]}',
        `workloads: [{manifests: [${ECHO}]}]`,
        'steadyState: {servicesAnswering: [default/echo]}',
        'load:',
        `  - {name: echo, service: default/echo, rate: 40, driver: k6, thresholds: ${thresholds}}`,
        'faults:',
        '  schedule: [{id: kill-a-pod, type: pod-kill, target: one, options: {namespace: default, selector: app=echo}, at: 3s, for: 3s}]',
        'checks:',
        '  - {name: availability, type: availability, window: whole-run, thresholds: {minSuccessRatio: 0.9}}',
      ].join('\n'),
    );
    return file;
  }

  pendingUnless(Boolean(k6) && docker, k6 ? 'no Docker engine' : 'no k6 on PATH or K6_BIN')(
    'drives an experiment with the real k6 on docker: its samples in the history, its thresholds a check that passes',
    async () => {
      const out = join(home, 'out-k6');
      const file = await k6Scenario('k6-load', "{http_req_failed: ['rate<0.5']}");
      const ran = await crucible(home, ['run', '--provider', 'docker', '--seed', '2', '--out', out, file]);
      expect(ran.code, ran.stdout + ran.stderr).to.equal(0);
      const { history, verdicts } = await onlyRun(out, 'k6-load');
      expect(history.series.load.length).to.be.greaterThan(5);
      expect(
        history.series.load.every((s) => s.driver === 'k6'),
        'every second sent by k6',
      ).to.equal(true);
      expect(history.series.load.reduce((n, s) => n + s.ok, 0)).to.be.greaterThan(100);
      expect(verdicts.map((v) => `${v.check} ${v.outcome}`)).to.deep.equal([
        'availability pass',
        'k6-thresholds pass',
      ]);
    },
  );

  pendingUnless(Boolean(k6) && docker, k6 ? 'no Docker engine' : 'no k6 on PATH or K6_BIN')(
    'fails exactly the k6-thresholds check when a k6 threshold is crossed (k6 exits 99)',
    async () => {
      const out = join(home, 'out-k6-crossed');
      const file = await k6Scenario('k6-crossed', "{http_req_duration: ['p(95)<0.001']}");
      const ran = await crucible(home, ['run', '--provider', 'docker', '--seed', '2', '--out', out, file]);
      expect(ran.code, ran.stdout + ran.stderr).to.equal(1);
      const { verdicts } = await onlyRun(out, 'k6-crossed');
      expect(verdicts.map((v) => `${v.check} ${v.outcome}`)).to.deep.equal([
        'availability pass',
        'k6-thresholds fail',
      ]);
      expect(ran.stdout).to.include('http_req_duration p(95)<0.001 was crossed');
    },
  );

  for (const provider of ['docker', 'process'] as const)
    pendingUnless(
      toxiproxyServer && (provider === 'process' ? NIGHTLY : docker),
      !toxiproxyServer
        ? 'no toxiproxy-server on PATH'
        : provider === 'process'
          ? 'nightly only (CRUCIBLE_NIGHTLY=1): the docker run covers the real Toxiproxy on every change'
          : 'no Docker engine',
    )(
      `runs the node-loss scenario on a ${provider} cluster whose links go through the real toxiproxy-server`,
      async () => {
        const out = join(home, `out-toxiproxy-${provider}`);
        const ran = await crucible(home, [
          'run',
          '--provider',
          provider,
          '--seed',
          '3',
          '--out',
          out,
          NODE_LOSS,
        ]);
        expect(ran.code, ran.stdout + ran.stderr).to.equal(0);
        const { history } = await onlyRun(out, 'node-loss-under-load');
        expect(history.metadata.versions.toxiproxy).to.equal('toxiproxy-server (the real one)');
      },
    );
});
