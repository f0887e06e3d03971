/**
 * The run page's model: everything the page shows, as plain data — numbers already written as
 * strings, chart geometry already computed — so the template only places it. Built from the
 * history and the verdicts alone; same inputs, same model.
 */
import type { History, HistoryEvent } from '../harness/history/history.js';
import type { Verdict, VerdictOutcome } from '../harness/checks/verdict.js';
import { faultWindows, type FaultWindow } from './fault-windows.js';
import {
  OUTCOME_LABEL,
  OUTCOME_SYMBOL,
  formatCount,
  formatDuration,
  formatMeasured,
  formatOffset,
  formatPercent,
  formatRecovery,
  formatWindow,
  plural,
  shellQuote,
  shownTargets,
} from './format.js';
import { judgedChecks } from './judged-checks.js';
import { recoveryFigures, type RecoveryFigure } from './recovery-figures.js';
import { digestRun, type RunDigest } from './run-digest.js';
import { runEndT } from './run-span.js';
import { summarizeRun } from './run-summary.js';
import { buildTimeline, type TimelineModel } from './timeline-model.js';
import { buildTrend, type LinkedRun, type TrendModel } from './trend-chart.js';

export interface RunReportModel {
  title: string;
  scenario: { name: string; description: string | null; file: string; hash: string; tags: string[] };
  outcome: OutcomeBadge;
  /** Set when the run did not finish its lifecycle: the page shows a banner. */
  aborted: { phase: string; reason: string } | null;
  /** What did not hold when a phase waiting for the steady state ran out of time. */
  unmet: { phase: string; subject: string; observation: string }[];
  /** The run's evidence beside the page: component logs, object dumps. */
  evidence: { label: string; href: string }[];
  /** One paragraph in plain words. */
  summary: string;
  startedAt: string;
  durationLabel: string;
  keyFigures: { label: string; value: string; className: string }[];
  /** Failures first, then unknowns, then passes. */
  verdicts: VerdictRow[];
  recovery: { rows: RecoveryRow[]; hasRows: boolean; note: string };
  timeline: TimelineModel;
  events: EventLog;
  reproduce: Reproduce;
  phases: PhaseRow[];
  cleanup: { rows: CleanupRow[]; hasRows: boolean; allHealed: boolean; note: string };
  /** This scenario's earlier runs in the same output folder and this one; null when there are none. */
  trend: TrendModel | null;
}

export interface OutcomeBadge {
  outcome: VerdictOutcome;
  symbol: string;
  label: string;
  className: string;
}

export interface VerdictRow {
  check: string;
  type: string;
  window: string;
  /** The resolved window, "1:00–2:30"; null when the checker could not resolve it. */
  span: string | null;
  threshold: string;
  measured: string;
  outcome: OutcomeBadge;
  summary: string;
  evidence: { t: string | null; message: string }[];
  hasEvidence: boolean;
}

export interface RecoveryRow {
  fault: string;
  type: string;
  targets: string;
  injectedAt: string;
  healedAt: string;
  timeToDetect: string;
  timeToHeal: string;
  failedRequests: string;
  className: string;
}

export interface EventLog {
  rows: { t: string; type: HistoryEvent['type']; text: string; className: string }[];
  /** One checkbox per event type present; unticking hides that type (pure CSS, no script). */
  filters: { type: HistoryEvent['type']; id: string; count: string }[];
  hasFilters: boolean;
  total: string;
  /** Set when the log was cut to `MAX_EVENT_ROWS` rows. */
  truncatedNote: string | null;
}

export interface Reproduce {
  seed: string;
  commit: string;
  dirty: boolean;
  commitLabel: string;
  commandLine: string;
  recheckCommand: string;
  scenarioFile: string;
  scenarioHash: string;
  crucibleVersion: string;
  provider: string;
  startedAt: string;
  endedAt: string;
  versions: { name: string; value: string }[];
  topology: { node: string; role: string }[];
  tenants: { name: string; namespaces: string }[];
  hasTenants: boolean;
}

export interface PhaseRow {
  name: string;
  start: string;
  end: string;
  duration: string;
  outcome: string;
  error: string | null;
  className: string;
}

export interface CleanupRow {
  fault: string;
  type: string;
  targets: string;
  injectedAt: string;
  injectOk: string;
  healedAt: string;
  healOk: string;
  verifiedBy: string;
  error: string | null;
  className: string;
}

/** The event log keeps at most this many rows (the faults, phases and errors first); history.json has all. */
export const MAX_EVENT_ROWS = 2000;

const EVENT_TYPES: HistoryEvent['type'][] = [
  'fault-inject',
  'fault-heal',
  'phase',
  'node-condition',
  'pod',
  'leader',
  'error',
  'note',
  'step',
];

/**
 * The run page's model. `earlierRuns` are this scenario's other runs in the same output folder
 * (any order; the trend sorts them by start), each with a link relative to where the page goes.
 */
export function buildReportModel(
  history: History,
  verdicts: readonly Verdict[],
  earlierRuns: readonly LinkedRun[] = [],
  /** Links to the run's evidence (component logs, object dumps), relative to the page. */
  evidence: readonly { label: string; href: string }[] = [],
): RunReportModel {
  const m = history.metadata;
  const endT = runEndT(history);
  const windows = faultWindows(history, endT);
  const figures = recoveryFigures(history.series.load, windows);
  const judged = judgedChecks(history, verdicts);
  const digest = digestRun(history, verdicts);
  const earlier = earlierRuns.filter((r) => r.digest.startedAt !== m.startedAt);

  const keyFigures: RunReportModel['keyFigures'] = [
    {
      label: 'Checks passed',
      value: `${digest.checks.passed} / ${digest.checks.total}`,
      className: badgeClass(digest.outcome),
    },
    { label: 'Duration', value: formatDuration(endT), className: '' },
    { label: 'Faults', value: formatCount(windows.length), className: '' },
    { label: 'Requests', value: formatCount(digest.requests), className: '' },
    {
      label: 'Succeeded',
      value: digest.successRatio === null ? '—' : formatPercent(digest.successRatio),
      className: digest.successRatio !== null && digest.successRatio < 1 ? 'figure-warn' : '',
    },
    {
      label: 'Worst time to detect',
      value: digest.worstDetectMs === null ? '—' : formatRecovery(digest.worstDetectMs),
      className: '',
    },
    {
      label: 'Worst time to heal',
      value: worstHealText(digest),
      className: digest.unrecoveredFaults + digest.unhealedFaults > 0 ? 'figure-bad' : '',
    },
    {
      label: 'API availability',
      value: digest.apiAvailability === null ? '—' : formatPercent(digest.apiAvailability),
      className: digest.apiAvailability !== null && digest.apiAvailability < 1 ? 'figure-warn' : '',
    },
  ];

  return {
    title: `crucible — ${m.scenario.name}`,
    scenario: {
      name: m.scenario.name,
      description: m.scenario.description ?? null,
      file: m.scenario.file,
      hash: m.scenario.hash,
      tags: m.scenario.tags,
    },
    outcome: badge(digest.outcome),
    aborted: m.aborted ?? null,
    unmet: history.events.flatMap((e) =>
      e.type === 'unmet' ? [{ phase: e.phase, subject: e.subject, observation: e.observation }] : [],
    ),
    evidence: [...evidence],
    summary: summarizeRun(history, judged, digest, figures),
    startedAt: m.startedAt,
    durationLabel: formatDuration(endT),
    keyFigures,
    verdicts: judged.map(verdictRow),
    recovery: recoveryTable(figures, history.series.load.length > 0),
    timeline: buildTimeline(history, windows, endT),
    events: eventLog(history.events),
    reproduce: reproduce(history),
    phases: m.phases.map((p) => ({
      name: p.name,
      start: formatOffset(p.startT),
      end: formatOffset(p.endT),
      duration: formatDuration(p.endT - p.startT),
      outcome: p.outcome,
      error: p.error ?? null,
      className: p.outcome === 'ok' ? 'outcome-pass' : 'outcome-fail',
    })),
    cleanup: cleanupLedger(history, windows),
    trend: earlier.length ? buildTrend([...earlier, { digest, href: null }], m.startedAt) : null,
  };
}

/** The worst time to heal of a run in words: "not healed" and "not recovered" beat any figure. */
export function worstHealText(d: RunDigest): string {
  if (d.unhealedFaults > 0) return 'not healed';
  if (d.unrecoveredFaults > 0) return 'not recovered';
  return d.worstHealMs === null ? '—' : formatRecovery(d.worstHealMs);
}

/** The badge of an outcome: its class, symbol and word. */
export function badge(outcome: VerdictOutcome): OutcomeBadge {
  return {
    outcome,
    symbol: OUTCOME_SYMBOL[outcome],
    label: OUTCOME_LABEL[outcome],
    className: badgeClass(outcome),
  };
}

function badgeClass(outcome: VerdictOutcome): string {
  return `outcome-${outcome}`;
}

function verdictRow(v: Verdict): VerdictRow {
  const evidence = v.evidence.map((e) => ({
    t: e.t === undefined ? null : formatOffset(e.t),
    message: e.message,
  }));
  return {
    check: v.check,
    type: v.type,
    window: formatWindow(v.window),
    span: v.span ? `${formatOffset(v.span[0])}–${formatOffset(v.span[1])}` : null,
    threshold: v.threshold,
    measured: formatMeasured(v.measured, v.unit),
    outcome: badge(v.outcome),
    summary: v.summary,
    evidence,
    hasEvidence: evidence.length > 0,
  };
}

function recoveryTable(figures: readonly RecoveryFigure[], hasLoad: boolean): RunReportModel['recovery'] {
  const rows = figures.map((f): RecoveryRow => {
    const w = f.window;
    return {
      fault: w.fault.id,
      type: w.fault.type,
      targets: shownTargets(w.fault.targets).join(', ') || '—',
      injectedAt: formatOffset(w.startT),
      healedAt: w.heal ? formatOffset(w.heal.t) : 'no heal recorded',
      timeToDetect: f.detectMs === null ? 'no failed request' : formatRecovery(f.detectMs),
      timeToHeal: f.healMs === null ? `— (${f.notRecovered})` : formatRecovery(f.healMs),
      failedRequests: formatCount(f.failedRequests),
      className: f.status === 'not-recovered' || f.status === 'not-healed' ? 'outcome-fail' : '',
    };
  });
  const note = !hasLoad
    ? 'No load was recorded, so there are no recovery figures.'
    : 'Time to detect: from the inject to the first second with a failed request. Time to heal: from the heal until every later second (up to the next fault) had no failed request. Load is counted in whole seconds.';
  return { rows, hasRows: rows.length > 0, note };
}

function eventText(e: HistoryEvent): string {
  switch (e.type) {
    case 'fault-inject': {
      const tenant = e.fault.tenant ? ` (tenant ${e.fault.tenant})` : '';
      const result = e.ok ? '' : ` — inject failed${e.error ? `: ${e.error}` : ''}`;
      return `inject ${e.fault.id} (${e.fault.type}) on ${shownTargets(e.fault.targets).join(', ') || '—'}${tenant}${result}`;
    }
    case 'fault-heal': {
      const result = e.ok ? '' : ` — heal failed${e.error ? `: ${e.error}` : ''}`;
      return `heal ${e.fault.id} (${e.fault.type}), verified by ${e.verifiedBy}${result}`;
    }
    case 'phase':
      return `phase ${e.phase} ${e.status}`;
    case 'node-condition':
      return `${e.node} Ready=${e.ready}`;
    case 'pod':
      return `pod ${e.namespace}/${e.name} ${e.change}${e.node ? ` on ${e.node}` : ''}`;
    case 'leader':
      return `${e.component} leader is ${e.holder}`;
    case 'error':
      return `${e.source}: ${e.message}`;
    case 'note':
      return e.message;
    case 'unmet':
      return `${e.phase}: not reached — ${e.subject}: ${e.observation}`;
    case 'load-thresholds':
      return `load ${e.load}: k6 thresholds ${e.thresholds.map((th) => `${th.metric} ${th.expression} ${th.crossed ? 'crossed' : 'held'}`).join(', ')}`;
    case 'step':
      return `step ${e.step} ${e.outcome}: ${e.action}${e.detail ? ` — ${e.detail}` : ''}`;
  }
}

function isBad(e: HistoryEvent): boolean {
  return (
    e.type === 'error' ||
    ((e.type === 'fault-inject' || e.type === 'fault-heal') && !e.ok) ||
    (e.type === 'node-condition' && e.ready !== 'True') ||
    (e.type === 'pod' && (e.change === 'not-ready' || e.change === 'restarted')) ||
    (e.type === 'step' && e.outcome !== 'passed')
  );
}

function eventLog(events: readonly HistoryEvent[]): EventLog {
  let kept = events.map((e, i) => ({ e, i }));
  let truncatedNote: string | null = null;
  if (kept.length > MAX_EVENT_ROWS) {
    // Pods and notes are the bulk of a long log and the least telling; they give way first.
    const minor = (e: HistoryEvent) => e.type === 'pod' || e.type === 'note';
    const major = kept.filter(({ e }) => !minor(e)).slice(0, MAX_EVENT_ROWS);
    const rest = kept.filter(({ e }) => minor(e)).slice(0, MAX_EVENT_ROWS - major.length);
    kept = [...major, ...rest].sort((a, b) => a.i - b.i);
    truncatedNote = `Showing ${formatCount(kept.length)} of ${formatCount(events.length)} events; history.json has them all.`;
  }
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  const filters = EVENT_TYPES.filter((t) => counts.has(t)).map((type) => ({
    type,
    id: `evf-${type}`,
    count: formatCount(counts.get(type) ?? 0),
  }));
  return {
    rows: kept.map(({ e }) => ({
      t: formatOffset(e.t),
      type: e.type,
      text: eventText(e),
      className: `ev ev-${e.type}${isBad(e) ? ' ev-bad' : ''}`,
    })),
    filters,
    hasFilters: filters.length > 0,
    total: plural(events.length, 'event'),
    truncatedNote,
  };
}

function reproduce(history: History): Reproduce {
  const m = history.metadata;
  const commit = m.crucible.commit;
  return {
    seed: String(m.seed),
    commit,
    dirty: m.crucible.dirty,
    commitLabel: m.crucible.dirty ? `${commit} + uncommitted changes` : commit,
    commandLine: shellQuote(m.commandLine),
    recheckCommand: 'crucible check history.json',
    scenarioFile: m.scenario.file,
    scenarioHash: m.scenario.hash,
    crucibleVersion: m.crucible.version,
    provider: m.provider,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
    versions: Object.entries(m.versions)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
    topology: m.topology,
    tenants: m.tenants.map((t) => ({ name: t.name, namespaces: t.namespaces.join(', ') })),
    hasTenants: m.tenants.length > 0,
  };
}

function cleanupLedger(history: History, windows: readonly FaultWindow[]): RunReportModel['cleanup'] {
  const paired = new Set(windows.map((w) => w.heal).filter((h) => h !== null));
  const rows: { t: number; row: CleanupRow }[] = windows.map((w) => ({
    t: w.startT,
    row: {
      fault: w.fault.id,
      type: w.fault.type,
      targets: shownTargets(w.fault.targets).join(', ') || '—',
      injectedAt: formatOffset(w.startT),
      injectOk: w.inject.ok ? OUTCOME_SYMBOL.pass : OUTCOME_SYMBOL.fail,
      healedAt: w.heal ? formatOffset(w.heal.t) : 'never',
      healOk: w.heal?.ok ? OUTCOME_SYMBOL.pass : OUTCOME_SYMBOL.fail,
      verifiedBy: w.heal?.verifiedBy ?? '—',
      error: [w.inject.error, w.heal?.error].filter(Boolean).join('; ') || null,
      className: w.heal?.ok ? 'outcome-pass' : 'outcome-fail',
    },
  }));
  // Heals with no open inject: a repeated (idempotent) heal, or a heal of a fault whose inject was not recorded.
  for (const e of history.events) {
    if (e.type !== 'fault-heal' || paired.has(e)) continue;
    rows.push({
      t: e.t,
      row: {
        fault: e.fault.id,
        type: e.fault.type,
        targets: shownTargets(e.fault.targets).join(', ') || '—',
        injectedAt: '—',
        injectOk: '—',
        healedAt: formatOffset(e.t),
        healOk: e.ok ? OUTCOME_SYMBOL.pass : OUTCOME_SYMBOL.fail,
        verifiedBy: e.verifiedBy,
        error: e.error ?? null,
        className: e.ok ? 'outcome-pass' : 'outcome-fail',
      },
    });
  }
  rows.sort((a, b) => a.t - b.t);
  // A failed heal followed by a successful repeat of it still leaves the fault healed.
  const healedLater = (w: (typeof windows)[number]) =>
    history.events.some(
      (e) => e.type === 'fault-heal' && e.fault.id === w.fault.id && e.t >= w.startT && e.ok,
    );
  const unhealed = windows.filter((w) => !healedLater(w)).length;
  return {
    rows: rows.map((r) => r.row),
    hasRows: rows.length > 0,
    allHealed: unhealed === 0,
    note:
      windows.length === 0
        ? 'No fault was injected.'
        : unhealed === 0
          ? `Every fault was healed and its heal verified (${plural(windows.length, 'fault')}).`
          : `${plural(unhealed, 'fault')} ${unhealed === 1 ? 'has' : 'have'} no successful heal recorded: the cluster may still be degraded.`,
  };
}
