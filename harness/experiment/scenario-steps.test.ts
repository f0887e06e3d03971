import { expect } from 'chai';
import type { StepEvent } from '../history/history.js';
import type { KubectlStep, ScenarioStep } from '../scenario/scenario.js';
import { runSteps, type KubectlCall } from './scenario-steps.js';

const kubectl = (id: string, args: string[], over: Partial<KubectlStep> = {}): KubectlStep => ({
  kind: 'kubectl',
  id,
  args,
  expect: { exitCode: 0 },
  timeoutMs: 1000,
  ...over,
});

/** Runs steps against a scripted kubectl; gives the events and every call made. */
async function run(
  steps: ScenarioStep[],
  answer: (args: string[], as?: string, stdin?: string) => { exitCode?: number; stdout?: string },
) {
  const events: StepEvent[] = [];
  const calls: { args: string[]; as?: string; stdin?: string }[] = [];
  const start = Date.now();
  const fake: KubectlCall = async (args, o) => {
    calls.push({ args, ...(o.as ? { as: o.as } : {}), ...(o.stdin ? { stdin: o.stdin } : {}) });
    await new Promise((r) => setTimeout(r, 5));
    const a = answer(args, o.as, o.stdin);
    return { exitCode: a.exitCode ?? 0, stdout: a.stdout ?? '', stderr: '' };
  };
  await runSteps(steps, {
    kubectl: fake,
    now: () => Date.now() - start,
    record: (e) => events.push(e),
    progress: () => {},
    signal: new AbortController().signal,
  });
  return { events, calls };
}

describe('runSteps', () => {
  it('runs steps in order, substitutes what earlier steps captured, and passes them as given', async () => {
    const { events, calls } = await run(
      [
        kubectl('get-rv', ['get', 'cm', 'x'], { capture: 'rv' }),
        kubectl('watch', ['get', '--raw', '/api?resourceVersion=${rv}'], {
          as: 'tenant-a',
          stdin: 'rv=${rv}',
        }),
      ],
      (args) => ({ stdout: args[0] === 'get' && args[1] === 'cm' ? ' 42\n' : 'ok' }),
    );
    expect(calls).to.deep.equal([
      { args: ['get', 'cm', 'x'] },
      { args: ['get', '--raw', '/api?resourceVersion=42'], as: 'tenant-a', stdin: 'rv=42' },
    ]);
    expect(events.map((e) => [e.step, e.outcome, e.action])).to.deep.equal([
      ['get-rv', 'passed', 'kubectl get cm x'],
      ['watch', 'passed', "kubectl get --raw '/api?resourceVersion=42' (as tenant-a)"],
    ]);
  });

  it('retries an eventually-step until its expectation holds', async () => {
    let n = 0;
    const { events } = await run(
      [
        kubectl('ready', ['get', 'pods'], {
          eventuallyMs: 5000,
          expect: { exitCode: 0, stdout: { equals: 'True' } },
        }),
      ],
      () => ({ stdout: ++n >= 3 ? 'True' : 'False' }),
    );
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ outcome: 'passed', attempts: 3 });
  });

  it('fails a step that misses, says why with the output, and skips the steps after it', async () => {
    const { events, calls } = await run(
      [
        kubectl('denied', ['get', 'pods', '-n', 'b'], { as: 'tenant-a', expect: { exitCode: 1 } }),
        { kind: 'sleep', id: 'pause', ms: 10 },
        kubectl('after', ['get', 'pods']),
      ],
      () => ({ exitCode: 0, stdout: 'pod/secret' }),
    );
    expect(calls).to.have.length(1);
    expect(events.map((e) => [e.step, e.outcome])).to.deep.equal([
      ['denied', 'failed'],
      ['pause', 'skipped'],
      ['after', 'skipped'],
    ]);
    expect(events[0]!.detail).to.equal('exit code 0, expected 1\nstdout: pod/secret');
    expect(events[2]!.detail).to.equal('not run: step denied failed');
  });

  it('samples an always-step in the background until its until-step has finished, and fails it on one miss', async () => {
    let rolling = false;
    let sampled = 0;
    const { events, calls } = await run(
      [
        kubectl('never-below-2', ['get', 'ready'], {
          expect: { exitCode: 0, stdout: { lines: { min: 2 } } },
          always: { until: 'roll', intervalMs: 10 },
        }),
        kubectl('start', ['rollout']),
        { kind: 'sleep', id: 'roll', ms: 150 },
      ],
      (args) => {
        if (args[0] === 'rollout') rolling = true;
        if (args[1] === 'ready') sampled++;
        // During the rollout, every third sample sees one ready pod.
        return { stdout: rolling && args[1] === 'ready' && sampled % 3 === 0 ? 'a' : 'a\nb' };
      },
    );
    const always = events.find((e) => e.step === 'never-below-2')!;
    expect(always.outcome).to.equal('failed');
    expect(always.attempts).to.be.greaterThan(3);
    expect(always.detail).to.match(
      /^\d+ of \d+ samples until roll finished missed; the first, .* in: stdout has 1 lines, expected at least 2/,
    );
    // It stopped sampling once `roll` had finished.
    const samples = calls.filter((c) => c.args[1] === 'ready').length;
    expect(samples).to.equal(always.attempts);
  });

  it('passes an always-step whose samples all held, with at least one sample', async () => {
    const { events } = await run(
      [
        kubectl('holds', ['get'], { always: { until: 'done', intervalMs: 1000 } }),
        kubectl('done', ['apply']),
      ],
      () => ({}),
    );
    expect(events.find((e) => e.step === 'holds')).to.include({ outcome: 'passed', attempts: 1 });
  });
});
