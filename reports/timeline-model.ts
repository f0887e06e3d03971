import type { History, LoadSecond } from '../harness/history/history.js';
import {
  bandPath,
  downsample,
  laneSegments,
  linePath,
  linearScale,
  logScale,
  timeTicks,
  timeX,
  valueTicks,
  type Point,
  type Reduction,
  type TimeAxis,
  type ValueScale,
} from './chart-geometry.js';
import type { FaultWindow } from './fault-windows.js';
import { formatDuration, formatNumber, formatOffset, shownTargets } from './format.js';
import { nodeReadinessRows } from './node-readiness-rows.js';

/** The timeline of a run page: charts sharing one time axis, with the fault windows shaded on each. */
export interface TimelineModel {
  /** SVG viewBox width of every chart. */
  width: number;
  /** The time axis: [0, spanMs] ms since the run started maps to [plotLeft, plotRight]. */
  spanMs: number;
  plotLeft: number;
  plotRight: number;
  durationLabel: string;
  /** The labelled fault windows, in a band above the charts. */
  faultBand: { height: number; windows: FaultShape[]; hasFaults: boolean };
  charts: LineChart[];
  lanes: LaneChart[];
  /** Set when some line had more points than `maxPointsPerLine` and was downsampled. */
  downsampleNote: string | null;
}

export interface FaultShape {
  id: string;
  label: string;
  title: string;
  x: number;
  width: number;
  labelX: number;
  labelY: number;
  /** `fault-window`, plus `unhealed` when no heal was recorded and `inject-failed` when the inject failed. */
  className: string;
}

export interface XTick {
  x: number;
  label: string;
}

export interface YTick {
  y: number;
  label: string;
}

export interface ChartFrame {
  id: string;
  title: string;
  height: number;
  plotLeft: number;
  plotRight: number;
  plotTop: number;
  plotBottom: number;
  plotHeight: number;
  axisLabelY: number;
  /** Where a chart without data says so. */
  centerX: number;
  centerY: number;
  xTicks: XTick[];
  /** The fault windows as shaded rectangles over the plot (`className` as in FaultShape). */
  faults: { x: number; width: number; title: string; className: string }[];
  legend: LegendItem[];
}

export interface LegendItem {
  label: string;
  color: string;
  dashed: boolean;
}

export interface LineChart extends ChartFrame {
  yLabel: string;
  yTicks: YTick[];
  /** Filled areas, drawn first. */
  bands: { path: string; color: string; label: string }[];
  lines: { path: string; color: string; dashed: boolean; label: string }[];
  empty: boolean;
  emptyText: string;
}

export interface LaneChart extends ChartFrame {
  lanes: {
    label: string;
    labelY: number;
    segments: { x: number; y: number; width: number; height: number; className: string; title: string }[];
  }[];
  empty: boolean;
  emptyText: string;
}

/** Every line is drawn from at most this many points, so a long run's page stays small. */
export const MAX_POINTS_PER_LINE = 600;

const WIDTH = 960;
const PLOT_LEFT = 72;
const PLOT_RIGHT = WIDTH - 16;
const PLOT_TOP = 8;
const PLOT_HEIGHT = 110;
const AXIS_SPACE = 22;
const LANE_HEIGHT = 14;
const LANE_GAP = 4;

const PALETTE = ['#0969da', '#8250df', '#bf3989', '#1b7c83', '#9a6700', '#57606a', '#116329', '#953800'];
const FAILURE_KINDS = ['refused', 'reset', 'timeout', 'http', 'dns', 'tls', 'other'];
const KIND_COLOR: Record<string, string> = {
  refused: '#cf222e',
  reset: '#fb8f44',
  timeout: '#9a6700',
  http: '#bf3989',
  dns: '#8250df',
  tls: '#1b7c83',
  other: '#6e7781',
  unclassified: '#424a53',
};

/** Lays out the timeline of one run over [0, endT]. */
export function buildTimeline(
  history: History,
  windows: readonly FaultWindow[],
  endT: number,
): TimelineModel {
  const axis: TimeAxis = { endT, left: PLOT_LEFT, width: PLOT_RIGHT - PLOT_LEFT };
  const xTicks = timeTicks(axis).map((t) => ({ x: t.at, label: t.label }));
  const band = faultBand(axis, windows);
  const faults = band.windows.map((f) => ({
    x: f.x,
    width: f.width,
    title: f.title,
    className: f.className,
  }));
  const ctx: Context = { axis, xTicks, faults, downsampled: false };
  const load = [...history.series.load].sort((a, b) => a.t - b.t);
  const charts = [requestRateChart(ctx, load), errorRateChart(ctx, load), latencyChart(ctx, load)];
  charts.push(replicasChart(ctx, history));
  const lanes = [nodeLanes(ctx, history), apiLane(ctx, history)];
  return {
    width: WIDTH,
    spanMs: endT,
    plotLeft: PLOT_LEFT,
    plotRight: PLOT_RIGHT,
    durationLabel: formatDuration(endT),
    faultBand: band,
    charts,
    lanes,
    downsampleNote: ctx.downsampled
      ? `Lines with more than ${MAX_POINTS_PER_LINE} samples are drawn from ${MAX_POINTS_PER_LINE} buckets (peaks of errors and latency, dips of ready replicas and means of request rates are kept); history.json has every sample.`
      : null,
  };
}

interface Context {
  axis: TimeAxis;
  xTicks: XTick[];
  faults: ChartFrame['faults'];
  downsampled: boolean;
}

function frame(
  ctx: Context,
  id: string,
  title: string,
  plotHeight: number,
  legend: LegendItem[],
): ChartFrame {
  const plotBottom = PLOT_TOP + plotHeight;
  return {
    id,
    title,
    height: plotBottom + AXIS_SPACE,
    plotLeft: PLOT_LEFT,
    plotRight: PLOT_RIGHT,
    plotTop: PLOT_TOP,
    plotBottom,
    plotHeight,
    axisLabelY: plotBottom + 15,
    centerX: (PLOT_LEFT + PLOT_RIGHT) / 2,
    centerY: PLOT_TOP + plotHeight / 2 + 4,
    xTicks: ctx.xTicks,
    faults: ctx.faults,
    legend,
  };
}

function thin(ctx: Context, points: Point[], reduce: Reduction): Point[] {
  if (points.length > MAX_POINTS_PER_LINE) ctx.downsampled = true;
  return downsample(points, MAX_POINTS_PER_LINE, reduce);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function byLoad(load: readonly LoadSecond[]): Map<string, LoadSecond[]> {
  const loads = new Map<string, LoadSecond[]>();
  for (const s of load) {
    const key = s.namespace ? `${s.load} (${s.namespace})` : s.load;
    pushTo(loads, key, s);
  }
  return loads;
}

function lineChart(
  ctx: Context,
  id: string,
  title: string,
  yLabel: string,
  scale: ValueScale,
  tickLabel: (v: number) => string,
  series: { label: string; color: string; dashed: boolean; points: Point[]; step?: boolean }[],
  bands: { label: string; color: string; path: string }[],
  emptyText: string,
): LineChart {
  const lines = series.map((s) => ({
    label: s.label,
    color: s.color,
    dashed: s.dashed,
    path: linePath(s.points, ctx.axis, scale, s.step ?? false),
  }));
  const legend = [
    ...bands.map((b) => ({ label: b.label, color: b.color, dashed: false })),
    ...lines.map((l) => ({ label: l.label, color: l.color, dashed: l.dashed })),
  ];
  const empty = lines.every((l) => l.path === '') && bands.every((b) => b.path === '');
  return {
    ...frame(ctx, id, title, PLOT_HEIGHT, legend),
    yLabel,
    yTicks: valueTicks(scale, tickLabel).map((t) => ({ y: t.at, label: t.label })),
    bands,
    lines,
    empty,
    emptyText: empty ? emptyText : '',
  };
}

function requestRateChart(ctx: Context, load: readonly LoadSecond[]): LineChart {
  const loads = [...byLoad(load)];
  const points = loads.map(([, seconds]) =>
    thin(
      ctx,
      seconds.map((s) => ({ t: s.t, v: s.count })),
      'mean',
    ),
  );
  const max = points.flat().reduce((m, p) => Math.max(m, p.v ?? 0), 0);
  const scale = linearScale(max, PLOT_TOP, PLOT_HEIGHT);
  return lineChart(
    ctx,
    'request-rate',
    'Request rate',
    'requests/s',
    scale,
    formatNumber,
    loads.map(([label], i) => ({
      label,
      color: PALETTE[i % PALETTE.length],
      dashed: false,
      points: points[i],
    })),
    [],
    'No load was recorded.',
  );
}

function errorRateChart(ctx: Context, load: readonly LoadSecond[]): LineChart {
  const byT = new Map<number, Record<string, number>>();
  const kinds = new Set<string>();
  for (const s of load) {
    const row = byT.get(s.t) ?? {};
    let classified = 0;
    for (const [kind, n] of Object.entries(s.failures)) {
      if (!n) continue;
      row[kind] = (row[kind] ?? 0) + n;
      classified += n;
      kinds.add(kind);
    }
    if (s.failed > classified) {
      row.unclassified = (row.unclassified ?? 0) + s.failed - classified;
      kinds.add('unclassified');
    }
    byT.set(s.t, row);
  }
  const known = FAILURE_KINDS.filter((k) => kinds.has(k));
  const rest = [...kinds].filter((k) => !FAILURE_KINDS.includes(k) && k !== 'unclassified').sort();
  const order = [...known, ...rest, ...(kinds.has('unclassified') ? ['unclassified'] : [])];
  const times = [...byT.keys()].sort((a, b) => a - b);
  // Stack first, then downsample each cumulative line: the lines share their times, so their
  // buckets match, and a bucket's maximum of a larger cumulative sum is never below a smaller one's.
  const cumulative: Point[][] = [];
  const running = times.map(() => 0);
  for (const kind of order) {
    cumulative.push(
      thin(
        ctx,
        times.map((t, i) => {
          running[i] += byT.get(t)?.[kind] ?? 0;
          return { t, v: running[i] };
        }),
        'max',
      ),
    );
  }
  const max = cumulative.length
    ? cumulative[cumulative.length - 1].reduce((m, p) => Math.max(m, p.v ?? 0), 0)
    : 0;
  const scale = linearScale(max, PLOT_TOP, PLOT_HEIGHT);
  const bands = order.map((kind, i) => ({
    label: kind,
    color: KIND_COLOR[kind] ?? PALETTE[i % PALETTE.length],
    path: bandPath(cumulative[i], i > 0 ? cumulative[i - 1] : null, ctx.axis, scale),
  }));
  return lineChart(
    ctx,
    'error-rate',
    'Error rate by kind (stacked)',
    'failed/s',
    scale,
    formatNumber,
    [],
    bands,
    load.length ? 'No request failed.' : 'No load was recorded.',
  );
}

function latencyChart(ctx: Context, load: readonly LoadSecond[]): LineChart {
  const loads = [...byLoad(load)];
  const series = loads.flatMap(([label, seconds], i) => {
    const color = PALETTE[i % PALETTE.length];
    const of = (pick: (s: LoadSecond) => number) =>
      thin(
        ctx,
        seconds.map((s) => ({ t: s.t, v: s.count > 0 ? pick(s) : null })),
        'max',
      );
    return [
      { label: `${label} p99`, color, dashed: false, points: of((s) => s.latencyMs.p99) },
      { label: `${label} p50`, color, dashed: true, points: of((s) => s.latencyMs.p50) },
    ];
  });
  const values = series.flatMap((s) => s.points.map((p) => p.v)).filter((v): v is number => v !== null);
  const positive = values.filter((v) => v > 0);
  const scale = logScale(
    positive.reduce((m, v) => Math.min(m, v), Infinity),
    values.reduce((m, v) => Math.max(m, v), 0),
    PLOT_TOP,
    PLOT_HEIGHT,
  );
  return lineChart(
    ctx,
    'latency',
    'Latency p50 (dashed) and p99, log scale',
    'ms',
    scale,
    (v) => (v >= 1000 ? `${formatNumber(v / 1000)} s` : `${formatNumber(v)} ms`),
    series,
    [],
    'No request completed.',
  );
}

function replicasChart(ctx: Context, history: History): LineChart {
  const byWorkload = new Map<string, { t: number; desired: number; ready: number }[]>();
  for (const s of [...history.series.workloads].sort((a, b) => a.t - b.t)) {
    const key = `${s.namespace}/${s.name}`;
    pushTo(byWorkload, key, s);
  }
  const workloads = [...byWorkload].sort(([a], [b]) => a.localeCompare(b));
  const series = workloads.flatMap(([label, samples], i) => {
    const color = PALETTE[i % PALETTE.length];
    return [
      {
        label: `${label} ready`,
        color,
        dashed: false,
        step: true,
        points: thin(
          ctx,
          samples.map((s) => ({ t: s.t, v: s.ready })),
          'min',
        ),
      },
      {
        label: `${label} desired`,
        color,
        dashed: true,
        step: true,
        points: thin(
          ctx,
          samples.map((s) => ({ t: s.t, v: s.desired })),
          'max',
        ),
      },
    ];
  });
  const max = history.series.workloads.reduce((m, s) => Math.max(m, s.desired, s.ready), 0);
  const scale = linearScale(max, PLOT_TOP, PLOT_HEIGHT);
  return lineChart(
    ctx,
    'ready-replicas',
    'Ready replicas per workload (desired dashed)',
    'replicas',
    scale,
    formatNumber,
    series,
    [],
    'No workload was sampled.',
  );
}

function laneChart(
  ctx: Context,
  id: string,
  title: string,
  rows: { label: string; segments: { startT: number; endT: number; className: string; title: string }[] }[],
  legend: LegendItem[],
  emptyText: string,
): LaneChart {
  const plotHeight = Math.max(rows.length, 1) * (LANE_HEIGHT + LANE_GAP);
  const lanes = rows.map((row, i) => {
    const y = PLOT_TOP + i * (LANE_HEIGHT + LANE_GAP) + LANE_GAP / 2;
    return {
      label: row.label,
      labelY: y + LANE_HEIGHT - 3,
      segments: row.segments.map((s) => {
        const x = timeX(ctx.axis, s.startT);
        return {
          x,
          y,
          width: Math.max(timeX(ctx.axis, s.endT) - x, 0.5),
          height: LANE_HEIGHT,
          className: s.className,
          title: s.title,
        };
      }),
    };
  });
  const empty = rows.length === 0;
  return { ...frame(ctx, id, title, plotHeight, legend), lanes, empty, emptyText: empty ? emptyText : '' };
}

function nodeLanes(ctx: Context, history: History): LaneChart {
  const { rows, groups } = nodeReadinessRows(history.series.nodes, ctx.axis.endT, MAX_POINTS_PER_LINE);
  const grouped = groups.map((g) => `${g.label} nodes`).join(', ');
  const title = groups.length
    ? `Node readiness (${grouped}: one lane per group, the worst state in it)`
    : 'Node readiness';
  return laneChart(
    ctx,
    'node-readiness',
    title,
    rows,
    [
      { label: 'Ready', color: 'var(--ok)', dashed: false },
      { label: 'Unknown', color: 'var(--unknown)', dashed: false },
      { label: 'NotReady', color: 'var(--bad)', dashed: false },
    ],
    'No node was sampled.',
  );
}

function apiLane(ctx: Context, history: History): LaneChart {
  const samples = [...history.series.api]
    .sort((a, b) => a.t - b.t)
    .map((p) => ({ t: p.t, state: p.ok ? ('ok' as const) : ('failed' as const) }));
  const segments = laneSegments(samples, ctx.axis.endT, (s) => (s === 'ok' ? 0 : 1), MAX_POINTS_PER_LINE);
  const rows = samples.length
    ? [
        {
          label: 'API probe',
          segments: segments.map((seg) => ({
            startT: seg.startT,
            endT: seg.endT,
            className: seg.state === 'ok' ? 'lane-ok' : 'lane-bad',
            title: `API ${seg.state === 'ok' ? 'answered' : 'failed'} ${formatOffset(seg.startT)}–${formatOffset(seg.endT)}`,
          })),
        },
      ]
    : [];
  return laneChart(
    ctx,
    'api-availability',
    'API availability',
    rows,
    [
      { label: 'answered', color: 'var(--ok)', dashed: false },
      { label: 'failed', color: 'var(--bad)', dashed: false },
    ],
    'The API was not probed.',
  );
}

const LABEL_ROW_HEIGHT = 16;
const CHAR_WIDTH = 6.4;

function faultBand(axis: TimeAxis, windows: readonly FaultWindow[]): TimelineModel['faultBand'] {
  // Labels go on the first row where they do not overlap an earlier label.
  const rowEnds: number[] = [];
  const shapes: FaultShape[] = windows.map((w) => {
    const x = timeX(axis, w.startT);
    const width = Math.max(timeX(axis, w.endT) - x, 2);
    const label = `${w.fault.id}: ${w.fault.type}${w.fault.targets.length ? ` → ${shownTargets(w.fault.targets).join(', ')}` : ''}`;
    const labelX = Math.max(axis.left, Math.min(x + 3, axis.left + axis.width - label.length * CHAR_WIDTH));
    let row = rowEnds.findIndex((end) => end < labelX);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = labelX + label.length * CHAR_WIDTH;
    const classes = ['fault-window'];
    if (!w.heal) classes.push('unhealed');
    if (!w.inject.ok) classes.push('inject-failed');
    const healText = w.heal
      ? `healed at ${formatOffset(w.heal.t)}${w.heal.ok ? '' : ' (heal failed)'}`
      : 'no heal recorded';
    return {
      id: w.fault.id,
      label,
      title: `${label}; injected at ${formatOffset(w.startT)}${w.inject.ok ? '' : ' (inject failed)'}, ${healText}`,
      x,
      width,
      labelX,
      labelY: row * LABEL_ROW_HEIGHT + 12,
      className: classes.join(' '),
    };
  });
  return {
    height: Math.max(rowEnds.length, 1) * LABEL_ROW_HEIGHT + 4,
    windows: shapes,
    hasFaults: shapes.length > 0,
  };
}
