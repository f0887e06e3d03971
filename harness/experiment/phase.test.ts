import { expect } from 'chai';
import type { Scenario } from '../scenario/index.js';
import { ExperimentRun, type ExperimentOptions } from './experiment-run.js';
import { enterPhase, type Phase } from './phase.js';

function newRun(signal = new AbortController().signal): ExperimentRun {
  const options = { progress: () => undefined, signal } as unknown as ExperimentOptions;
  return new ExperimentRun({ name: 's' } as Scenario, options);
}

function phase(name: Phase['name'], kind: Phase['kind'], ran: string[], fails?: string): Phase {
  return {
    name,
    kind,
    timeoutMs: () => 1000,
    run: async () => {
      ran.push(name);
      if (fails) throw new Error(fails);
    },
  };
}

describe('the lifecycle of a run, phase by phase', () => {
  it('stops the lifecycle at the first failed phase, but still runs every clean-up phase', async () => {
    const run = newRun();
    const ran: string[] = [];
    for (const p of [
      phase('boot', 'lifecycle', ran),
      phase('workloads', 'lifecycle', ran, 'kubectl apply failed'),
      phase('steady-state', 'lifecycle', ran),
      phase('heal', 'cleanup', ran),
      phase('recovery', 'observation', ran),
      phase('collect', 'cleanup', ran, 'a recorder did not stop'),
      phase('teardown', 'cleanup', ran),
    ])
      await enterPhase(run, p);
    expect(ran).to.deep.equal(['boot', 'workloads', 'heal', 'collect', 'teardown']);
    expect(run.aborted).to.equal(true);
    expect(run.error?.message).to.equal('kubectl apply failed');
    expect(run.cleanupError?.message).to.equal('a recorder did not stop');
    expect(run.clock.phases.map((p) => `${p.name} ${p.outcome}`)).to.deep.equal([
      'boot ok',
      'workloads failed',
      'heal ok',
      'collect failed',
      'teardown ok',
    ]);
  });

  it('notes a failed observation phase in the history without aborting the run', async () => {
    const run = newRun();
    const ran: string[] = [];
    await enterPhase(run, phase('recovery', 'observation', ran, 'the steady state: 1/2 ready'));
    await enterPhase(run, phase('collect', 'cleanup', ran));
    expect(run.aborted).to.equal(false);
    expect(run.error).to.equal(undefined);
    expect(run.events.flatMap((e) => (e.type === 'note' ? [e.message] : []))).to.deep.equal([
      'no recovery: the steady state: 1/2 ready',
    ]);
  });

  it('after Ctrl-C runs only the clean-up phases, and skips a phase with nothing to act on', async () => {
    const abort = new AbortController();
    abort.abort();
    const run = newRun(abort.signal);
    const ran: string[] = [];
    await enterPhase(run, phase('faults', 'lifecycle', ran));
    await enterPhase(run, { ...phase('heal', 'cleanup', ran), applies: () => false });
    await enterPhase(run, phase('teardown', 'cleanup', ran));
    expect(ran).to.deep.equal(['teardown']);
    expect(run.aborted).to.equal(true);
  });
});
