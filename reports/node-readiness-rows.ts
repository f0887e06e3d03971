import type { NodeSample } from '../harness/history/history.js';
import { laneSegments } from './chart-geometry.js';
import { formatOffset } from './format.js';

type Ready = NodeSample['ready'];

/** One lane of the node readiness chart: a node, or a group of many drawn as one. */
export interface NodeReadinessRow {
  label: string;
  segments: { startT: number; endT: number; className: string; title: string }[];
}

/**
 * More nodes than this whose names differ only in their number (sim-1 … sim-1000) are drawn as
 * one lane: a thousand simulated nodes would otherwise make the chart 18,000 pixels tall.
 */
export const MAX_LANES_PER_NODE_GROUP = 8;

const SEVERITY = { True: 0, Unknown: 1, False: 2 } as const;
const CLASS = { True: 'lane-ok', Unknown: 'lane-unknown', False: 'lane-bad' } as const;

/**
 * The lanes of the node readiness chart over [0, endT], in node-name order: a lane per node, and
 * for a group of more than MAX_LANES_PER_NODE_GROUP nodes named `<prefix><number>`, one lane
 * labelled `<count> <prefix>*` that shows at each moment the worst state of any of them, each
 * segment saying how many were not Ready at most.
 */
export function nodeReadinessRows(
  samples: readonly NodeSample[],
  endT: number,
  maxSegments: number,
): { rows: NodeReadinessRow[]; groups: { label: string; nodes: number }[] } {
  const byNode = new Map<string, NodeSample[]>();
  for (const s of [...samples].sort((a, b) => a.t - b.t)) {
    const list = byNode.get(s.node);
    if (list) list.push(s);
    else byNode.set(s.node, [s]);
  }
  const byPrefix = new Map<string, string[]>();
  for (const node of byNode.keys()) {
    const prefix = node.replace(/\d+$/, '');
    const list = byPrefix.get(prefix);
    if (list) list.push(node);
    else byPrefix.set(prefix, [node]);
  }
  const rows: (NodeReadinessRow & { order: string })[] = [];
  const groups: { label: string; nodes: number }[] = [];
  for (const [prefix, nodes] of byPrefix) {
    if (nodes.length > MAX_LANES_PER_NODE_GROUP && prefix !== '') {
      const label = `${nodes.length} ${prefix}*`;
      groups.push({ label, nodes: nodes.length });
      rows.push({ order: `${prefix}0`, ...groupRow(label, nodes, byNode, endT, maxSegments) });
    } else {
      for (const node of nodes)
        rows.push({ order: node, ...nodeRow(node, byNode.get(node)!, endT, maxSegments) });
    }
  }
  rows.sort((a, b) => a.order.localeCompare(b.order, 'en', { numeric: true }));
  return { rows: rows.map(({ label, segments }) => ({ label, segments })), groups };
}

function nodeRow(node: string, samples: readonly NodeSample[], endT: number, maxSegments: number) {
  return {
    label: node,
    segments: laneSegments(
      samples.map((s) => ({ t: s.t, state: s.ready })),
      endT,
      (s) => SEVERITY[s],
      maxSegments,
    ).map((seg) => ({
      startT: seg.startT,
      endT: seg.endT,
      className: CLASS[seg.state],
      title: `${node} Ready=${seg.state} ${formatOffset(seg.startT)}–${formatOffset(seg.endT)}`,
    })),
  };
}

/** The group's worst state after each sample time, and how many of its nodes were not Ready then. */
function groupRow(
  label: string,
  nodes: readonly string[],
  byNode: ReadonlyMap<string, NodeSample[]>,
  endT: number,
  maxSegments: number,
) {
  const merged = nodes.flatMap((n) => byNode.get(n)!).sort((a, b) => a.t - b.t);
  const latest = new Map<string, Ready>();
  const count = { True: 0, Unknown: 0, False: 0 };
  const points: { t: number; state: Ready; notReady: number }[] = [];
  for (let i = 0; i < merged.length; i++) {
    const s = merged[i]!;
    const before = latest.get(s.node);
    if (before) count[before]--;
    count[s.ready]++;
    latest.set(s.node, s.ready);
    if (merged[i + 1]?.t === s.t) continue;
    const state: Ready = count.False ? 'False' : count.Unknown ? 'Unknown' : 'True';
    points.push({ t: s.t, state, notReady: count.False + count.Unknown });
  }
  const segments = laneSegments(points, endT, (s) => SEVERITY[s], maxSegments);
  return {
    label,
    segments: segments.map((seg) => {
      // The points in force during the segment: those in it, and the one it began under.
      const during = points.filter(
        (p, i) => p.t < seg.endT && (p.t >= seg.startT || (points[i + 1]?.t ?? Infinity) > seg.startT),
      );
      const most = during.reduce((m, p) => Math.max(m, p.notReady), 0);
      const span = `${formatOffset(seg.startT)}–${formatOffset(seg.endT)}`;
      return {
        startT: seg.startT,
        endT: seg.endT,
        className: CLASS[seg.state],
        title:
          seg.state === 'True'
            ? `${label}: all Ready ${span}`
            : `${label}: up to ${most} of ${nodes.length} not Ready (the worst Ready=${seg.state}) ${span}`,
      };
    }),
  };
}
