import { expect } from 'chai';
import type { NodeSample } from '../harness/history/history.js';
import { nodeReadinessRows } from './node-readiness-rows.js';

/** Samples every second for 30 s: two workers, and 1000 simulated nodes of which sim-7 is Unknown from 10 s to 14 s. */
function samples(): NodeSample[] {
  const out: NodeSample[] = [];
  for (let t = 0; t < 30_000; t += 1000) {
    for (const node of ['worker-2', 'worker-1']) out.push({ t, node, ready: 'True' });
    for (let i = 1; i <= 1000; i++)
      out.push({ t, node: `sim-${i}`, ready: i === 7 && t >= 10_000 && t < 15_000 ? 'Unknown' : 'True' });
  }
  return out;
}

describe('nodeReadinessRows', () => {
  it('draws a lane per worker and one lane for a thousand simulated nodes, with the worst state of them', () => {
    const { rows, groups } = nodeReadinessRows(samples(), 30_000, 600);
    expect(rows.map((r) => r.label)).to.deep.equal(['1000 sim-*', 'worker-1', 'worker-2']);
    expect(groups).to.deep.equal([{ label: '1000 sim-*', nodes: 1000 }]);
    expect(rows[0]!.segments.map((s) => [s.startT, s.endT, s.className])).to.deep.equal([
      [0, 10_000, 'lane-ok'],
      [10_000, 15_000, 'lane-unknown'],
      [15_000, 30_000, 'lane-ok'],
    ]);
    expect(rows[0]!.segments[1]!.title).to.equal(
      '1000 sim-*: up to 1 of 1000 not Ready (the worst Ready=Unknown) 0:10–0:15',
    );
    expect(rows[1]!.segments).to.deep.equal([
      { startT: 0, endT: 30_000, className: 'lane-ok', title: 'worker-1 Ready=True 0:00–0:30' },
    ]);
  });

  it('keeps a lane per node for up to 8 nodes sharing a prefix', () => {
    const few = samples().filter((s) => !/^sim-(9|\d{2,})$/.test(s.node));
    const { rows, groups } = nodeReadinessRows(few, 30_000, 600);
    expect(rows.map((r) => r.label)).to.deep.equal([
      'sim-1',
      'sim-2',
      'sim-3',
      'sim-4',
      'sim-5',
      'sim-6',
      'sim-7',
      'sim-8',
      'worker-1',
      'worker-2',
    ]);
    expect(groups).to.deep.equal([]);
  });
});
