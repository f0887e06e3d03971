import { expect } from 'chai';
import type { Scenario } from '../scenario/index.js';
import { MultiplexReporter, type ReporterFailure } from './multiplex-reporter.js';
import type { RunReporter, ScenarioRun } from './run-reporter.js';

const scenario = { name: 's' } as Scenario;
const run = { scenario, result: { history: {}, verdicts: [] } } as unknown as ScenarioRun;

describe('MultiplexReporter', () => {
  it('hands every event to each reporter in order', async () => {
    const seen: string[] = [];
    const recorder = (name: string): RunReporter => ({
      name,
      onBegin: () => void seen.push(`${name} begin`),
      onScenarioBegin: (s) => void seen.push(`${name} scenario ${s.name}`),
      onProgress: (_s, line) => void seen.push(`${name} ${line}`),
      onScenarioEnd: async () => void seen.push(`${name} scenario end`),
      onEnd: (runs) => void seen.push(`${name} end ${runs.length}`),
    });
    const mux = new MultiplexReporter([recorder('a'), recorder('b')]);
    await mux.onBegin({ scenarios: [scenario], provider: 'process', seed: 1, repeat: 1 });
    await mux.onScenarioBegin(scenario);
    mux.onProgress(scenario, 'boot');
    await mux.onScenarioEnd(run);
    await mux.onEnd([run]);
    expect(seen).to.deep.equal([
      'a begin',
      'b begin',
      'a scenario s',
      'b scenario s',
      'a boot',
      'b boot',
      'a scenario end',
      'b scenario end',
      'a end 1',
      'b end 1',
    ]);
  });

  it('keeps a reporter that throws (or rejects) from the others, and says which failed where', async () => {
    const reached: string[] = [];
    const failures: ReporterFailure[] = [];
    const mux = new MultiplexReporter(
      [
        {
          name: 'html',
          onScenarioEnd: async () => {
            throw new Error('disk full');
          },
          onProgress: () => {
            throw new Error('broken pipe');
          },
        },
        {
          name: 'junit',
          onScenarioEnd: () => void reached.push('junit'),
          onProgress: () => void reached.push('line'),
        },
      ],
      (f) => failures.push(f),
    );
    mux.onProgress(scenario, 'x');
    await mux.onScenarioEnd(run);
    expect(reached).to.deep.equal(['line', 'junit']);
    expect(failures).to.deep.equal([
      { reporter: 'html', hook: 'onProgress', message: 'broken pipe' },
      { reporter: 'html', hook: 'onScenarioEnd', message: 'disk full' },
    ]);
    expect(mux.failures).to.have.length(2);
  });

  it('does not fail when telling of a failure fails', async () => {
    const mux = new MultiplexReporter(
      [
        {
          name: 'bad',
          onEnd: () => {
            throw new Error('x');
          },
        },
      ],
      () => {
        throw new Error('stderr closed');
      },
    );
    await mux.onEnd([]);
    expect(mux.failures.map((f) => f.message)).to.deep.equal(['x']);
  });
});
