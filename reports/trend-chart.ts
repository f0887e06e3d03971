import { OUTCOME_SYMBOL, formatRecovery } from './format.js';
import type { RunDigest } from './run-digest.js';

/** A run of the same scenario, with where its report lives relative to the page showing the trend. */
export interface LinkedRun {
  digest: RunDigest;
  /** Relative link to the run's report; null when the page should not link it. */
  href: string | null;
}

/** Pass/fail and recovery time of a scenario over its runs, oldest left, as inline SVG geometry. */
export interface TrendModel {
  width: number;
  height: number;
  /** One square per run, coloured by outcome, with its symbol. */
  cells: TrendCell[];
  /** Worst time to heal per run, as a line under the squares; '' when no run has the figure. */
  recoveryPath: string;
  recoveryDots: { cx: number; cy: number; title: string }[];
  /** Runs where requests never fully succeeded again after a heal: a red mark at the top of the line. */
  unrecoveredMarks: { x: number; y: number; title: string }[];
  /** The line's top value, in words ("max 4.2 s"); '' without a line. */
  recoveryScaleLabel: string;
  labelX: number;
  labelY: number;
  hasRecovery: boolean;
  runsShown: number;
  runsTotal: number;
  caption: string;
}

export interface TrendCell {
  x: number;
  y: number;
  size: number;
  textX: number;
  textY: number;
  className: string;
  symbol: string;
  title: string;
  href: string | null;
  current: boolean;
}

const CELL = 16;
const CELL_GAP = 3;
const LINE_TOP = CELL + 8;
const LINE_HEIGHT = 26;
const LABEL_WIDTH = 64;

/**
 * The trend over a scenario's runs (sorted by start here; the last `maxRuns` shown). `currentStartedAt`
 * marks the run whose page shows the trend.
 */
export function buildTrend(
  runs: readonly LinkedRun[],
  currentStartedAt: string | null,
  maxRuns = 30,
): TrendModel {
  const sorted = [...runs].sort((a, b) => a.digest.startedAt.localeCompare(b.digest.startedAt));
  const shown = sorted.slice(-maxRuns);
  const pitch = CELL + CELL_GAP;
  const maxHeal = shown.reduce((m, r) => Math.max(m, r.digest.worstHealMs ?? 0), 0);
  const lineScale = maxHeal > 0 ? maxHeal : 1;
  const yOf = (ms: number) => Math.round((LINE_TOP + LINE_HEIGHT * (1 - ms / lineScale)) * 10) / 10;

  const cells: TrendCell[] = shown.map((r, i) => {
    const d = r.digest;
    const x = i * pitch;
    const heal =
      d.worstHealMs === null ? 'no recovery figure' : `worst time to heal ${formatRecovery(d.worstHealMs)}`;
    return {
      x,
      y: 0,
      size: CELL,
      textX: x + CELL / 2,
      textY: CELL - 4,
      className: `trend-cell outcome-${d.outcome}${d.aborted ? ' aborted' : ''}`,
      symbol: OUTCOME_SYMBOL[d.outcome],
      title: `${d.startedAt}: ${d.outcome}${d.aborted ? ' (aborted)' : ''}, ${d.checks.passed}/${d.checks.total} checks passed, ${heal}`,
      href: r.href,
      current: d.startedAt === currentStartedAt,
    };
  });

  const parts: string[] = [];
  const recoveryDots: TrendModel['recoveryDots'] = [];
  const unrecoveredMarks: TrendModel['unrecoveredMarks'] = [];
  let drawing = false;
  shown.forEach((r, i) => {
    const cx = i * pitch + CELL / 2;
    const ms = r.digest.worstHealMs;
    const stuck = r.digest.unrecoveredFaults + r.digest.unhealedFaults;
    if (stuck > 0) {
      unrecoveredMarks.push({
        x: cx,
        y: LINE_TOP,
        title: `${r.digest.startedAt}: ${stuck} fault(s) not healed or not recovered`,
      });
    }
    if (ms === null) {
      drawing = false;
      return;
    }
    const cy = yOf(ms);
    parts.push(`${drawing ? 'L' : 'M'}${cx} ${cy}`);
    drawing = true;
    recoveryDots.push({ cx, cy, title: `${r.digest.startedAt}: time to heal ${formatRecovery(ms)}` });
  });
  const hasRecovery = recoveryDots.length > 0;
  const first = shown[0]?.digest.startedAt;
  return {
    width: Math.max(shown.length, 1) * pitch + LABEL_WIDTH,
    height: LINE_TOP + LINE_HEIGHT + 4,
    cells,
    recoveryPath: parts.join(''),
    recoveryDots,
    unrecoveredMarks,
    recoveryScaleLabel: hasRecovery ? `max ${formatRecovery(maxHeal)}` : '',
    labelX: Math.max(shown.length, 1) * pitch + 4,
    labelY: LINE_TOP + 8,
    hasRecovery,
    runsShown: shown.length,
    runsTotal: sorted.length,
    caption: `${shown.length === sorted.length ? '' : `Last ${shown.length} of `}${sorted.length} run${sorted.length === 1 ? '' : 's'}, oldest left${first ? ` (from ${first.slice(0, 10)})` : ''}; line: worst time to heal.`,
  };
}
