import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import { assembleHistory, type HistoryPart } from './history-assembler.js';
import { HISTORY_API_VERSION, type HistoryEvent } from './history.js';

const metadata = new HistoryBuilder().build().metadata;
const source = (part: HistoryPart) => ({ part: () => part });

describe('assembleHistory', () => {
  it('merges the runner’s events with every recorder’s, in time order, keeping the order of ties', () => {
    const runner: HistoryEvent[] = [
      { t: 0, type: 'phase', phase: 'recorders', status: 'start' },
      { t: 3000, type: 'note', message: 'runner at 3 s' },
    ];
    const history = assembleHistory({
      metadata,
      events: runner,
      recorders: {
        cluster: source({
          events: [
            { t: 3000, type: 'node-condition', node: 'worker-2', ready: 'Unknown' },
            { t: 1000, type: 'leader', component: 'scheduler', holder: 'scheduler-0' },
          ],
        }),
        battery: undefined,
      },
    });
    expect(history.apiVersion).to.equal(HISTORY_API_VERSION);
    expect(history.kind).to.equal('History');
    expect(history.metadata).to.equal(metadata);
    expect(history.events.map((e) => [e.t, e.type])).to.deep.equal([
      [0, 'phase'],
      [1000, 'leader'],
      [3000, 'note'],
      [3000, 'node-condition'],
    ]);
  });

  it('concatenates each series from every part and sorts it by time', () => {
    const history = assembleHistory({
      metadata,
      loadSeconds: [
        {
          t: 1000,
          load: 'echo',
          count: 10,
          ok: 10,
          failed: 0,
          dropped: 0,
          failures: {},
          latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
        },
      ],
      recorders: [
        source({
          series: {
            api: [
              { t: 500, ok: true, latencyMs: 2, status: 200 },
              { t: 250, ok: false, latencyMs: 1000, error: 'no answer within 1000 ms' },
            ],
          },
        }),
        source({ series: { nodes: [{ t: 0, node: 'worker-1', ready: 'True' }] } }),
        source({ groundTruth: [{ t: 0, node: 'worker-1', reachable: true, pods: [] }] }),
        source({
          durability: {
            writes: [{ t: 100, key: 'k-1', value: '1', acknowledged: true }],
            finalReads: [{ t: 9000, key: 'k-1', value: '1' }],
          },
        }),
      ],
      parts: [{ series: { api: [{ t: 0, ok: true, latencyMs: 1, status: 200 }] } }],
    });
    expect(history.series.api.map((s) => s.t)).to.deep.equal([0, 250, 500]);
    expect(history.series.load).to.have.length(1);
    expect(history.series.nodes).to.deep.equal([{ t: 0, node: 'worker-1', ready: 'True' }]);
    expect(history.series.workloads).to.deep.equal([]);
    expect(history.groundTruth).to.have.length(1);
    expect(history.durability).to.deep.equal({
      writes: [{ t: 100, key: 'k-1', value: '1', acknowledged: true }],
      finalReads: [{ t: 9000, key: 'k-1', value: '1' }],
    });
    expect(history.isolation).to.deep.equal([]);
  });

  it('gives an empty but complete history when nothing was recorded (a run aborted at boot)', () => {
    const history = assembleHistory({ metadata });
    expect(history.events).to.deep.equal([]);
    expect(history.series).to.deep.equal({ load: [], workloads: [], nodes: [], api: [] });
    expect(history.durability).to.deep.equal({ writes: [], finalReads: [] });
  });

  it('shares no array with a recorder, so recording more later does not change the history', () => {
    const api = [{ t: 0, ok: true, latencyMs: 1, status: 200 }];
    const history = assembleHistory({ metadata, recorders: [source({ series: { api } })] });
    api.push({ t: 1, ok: true, latencyMs: 1, status: 200 });
    expect(history.series.api).to.have.length(1);
  });
});
