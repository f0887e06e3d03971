/**
 * The index page's model: every scenario of an output folder with its latest verdict, key
 * figures and trend, and the resilience score. Plain data, like the run page's model.
 */
import { mergeOutcomes } from '../harness/checks/verdict.js';
import { sabotageScore } from '../harness/checks/expected-outcome.js';
import {
  OUTCOME_ORDER,
  formatDuration,
  formatNumber,
  formatPercent,
  formatRecovery,
  joinWords,
  plural,
} from './format.js';
import { badge, worstHealText, type OutcomeBadge } from './report-model.js';
import type { RunDigest } from './run-digest.js';
import { buildTrend, type LinkedRun, type TrendModel } from './trend-chart.js';

/** A scenario of the output folder: its runs (any order) and where its latest report is. */
export interface IndexEntry {
  scenario: string;
  /** Relative link to the scenario's latest report. */
  href: string;
  runs: LinkedRun[];
}

export interface IndexModel {
  title: string;
  outcome: OutcomeBadge;
  summary: string;
  score: ResilienceScore;
  /** Beside the resilience score: how many of the known bugs the sabotage runs turned on were caught. */
  sabotage: SabotageScoreModel | null;
  scenarios: IndexRow[];
  hasScenarios: boolean;
  /** Scenarios of the folder that the last invocation did not run: listed, outside the score. */
  earlier: IndexRow[];
  hasEarlier: boolean;
  /** Run folders that could not be read, with why; shown so a broken run is not silently missing. */
  unreadable: string[];
  hasUnreadable: boolean;
}

export interface ResilienceScore {
  /** "87.5", or "—" when no scenario declared a check. */
  value: string;
  formula: string;
  /** The formula with this folder's numbers in it. */
  computation: string;
  className: string;
}

export interface SabotageScoreModel {
  /** "caught 9 of 11 known bugs". */
  text: string;
  /** "9 / 11". */
  value: string;
  /** The sabotage scenarios whose bug was not caught, with how it came out. */
  notCaught: string;
  className: string;
}

export interface IndexRow {
  name: string;
  description: string | null;
  href: string;
  outcome: OutcomeBadge;
  aborted: string | null;
  startedAt: string;
  duration: string;
  checks: string;
  failedChecks: string;
  successRatio: string;
  timeToDetect: string;
  timeToHeal: string;
  runs: string;
  trend: TrendModel;
}

/** How the score is computed, printed beside it. */
export const SCORE_FORMULA =
  'score = 100 × the mean over scenarios of (checks passed ÷ checks) in each scenario’s latest run. ' +
  'Every scenario weighs the same whatever its number of checks; a failed or inconclusive check, or a declared ' +
  'check with no verdict, counts as not passed; a scenario without checks is left out.';

/** The resilience score of the latest runs, with its computation written out. */
export function resilienceScore(latest: readonly RunDigest[]): ResilienceScore {
  const scored = latest.filter((d) => d.checks.total > 0);
  if (scored.length === 0) {
    return {
      value: '—',
      formula: SCORE_FORMULA,
      computation: 'No scenario declared a check.',
      className: '',
    };
  }
  const value = (100 * scored.reduce((sum, d) => sum + d.checks.passed / d.checks.total, 0)) / scored.length;
  const terms = scored.map((d) => `${d.checks.passed}/${d.checks.total}`).join(' + ');
  return {
    value: formatNumber(value),
    formula: SCORE_FORMULA,
    computation: `100 × (${terms}) ÷ ${scored.length} = ${formatNumber(value)}`,
    className: value === 100 ? 'outcome-pass' : value >= 80 ? 'outcome-unknown' : 'outcome-fail',
  };
}

/** The score says so when the only runs with checks were sabotage runs, which it leaves out. */
function withoutSabotage(score: ResilienceScore, latest: readonly RunDigest[]): ResilienceScore {
  const onlySabotage = score.value === '—' && latest.some((d) => d.sabotage);
  return onlySabotage
    ? {
        ...score,
        computation: 'Only sabotage scenarios ran: they score the checks (below), not the cluster.',
      }
    : score;
}

/** The sabotage score of the latest runs of sabotage scenarios; null when there were none. */
export function sabotageScoreModel(latest: readonly RunDigest[]): SabotageScoreModel | null {
  const runs = latest.flatMap((d) => (d.sabotage ? [{ scenario: d.scenario, ...d.sabotage }] : []));
  if (runs.length === 0) return null;
  const score = sabotageScore(runs.map((r) => r.result));
  const missed = runs.filter((r) => r.result !== 'caught');
  return {
    text: score.text,
    value: `${score.caught} / ${score.total}`,
    notCaught: missed.length
      ? `Not caught: ${joinWords(missed.map((r) => `${r.scenario} (${r.result}; expected ${r.fails} to fail)`))}.`
      : 'Every known bug was caught by the check that should catch it.',
    className: score.caught === score.total ? 'outcome-pass' : 'outcome-fail',
  };
}

/** The index page's model; `unreadable` lists run folders that could not be read. */
export function buildIndexModel(
  entries: readonly IndexEntry[],
  unreadable: readonly string[] = [],
  /** Scenarios of the folder that the last invocation did not run (not in the score). */
  earlierEntries: readonly IndexEntry[] = [],
): IndexModel {
  const rows = latestOf(entries);
  const latest = rows.map((r) => r.latest);
  const outcome = mergeOutcomes(latest.map((d) => d.outcome));
  const count = (o: RunDigest['outcome']) => latest.filter((d) => d.outcome === o);
  const parts = [`${count('pass').length} passed`];
  if (count('fail').length)
    parts.push(`${count('fail').length} failed (${joinWords(count('fail').map((d) => d.scenario))})`);
  if (count('unknown').length) {
    parts.push(
      `${count('unknown').length} inconclusive (${joinWords(count('unknown').map((d) => d.scenario))})`,
    );
  }
  const aborted = latest.filter((d) => d.aborted);
  const summary =
    latest.length === 0
      ? 'No runs were found in this folder.'
      : `${plural(latest.length, 'scenario')}: ${joinWords(parts)}.` +
        (aborted.length ? ` ${plural(aborted.length, 'run')} did not finish (aborted).` : '');

  return {
    title: 'crucible — resilience report',
    outcome: badge(outcome),
    summary,
    // A sabotage run breaks the cluster on purpose: it scores the checks, not the cluster.
    score: withoutSabotage(resilienceScore(latest.filter((d) => !d.sabotage)), latest),
    sabotage: sabotageScoreModel(latest),
    scenarios: rows.map(indexRow),
    earlier: latestOf(earlierEntries).map(indexRow),
    hasEarlier: earlierEntries.length > 0,
    hasScenarios: rows.length > 0,
    unreadable: [...unreadable],
    hasUnreadable: unreadable.length > 0,
  };
}

/** Each scenario with its latest run, worst outcome first. */
function latestOf(entries: readonly IndexEntry[]): { entry: IndexEntry; latest: RunDigest }[] {
  return entries
    .filter((e) => e.runs.length > 0)
    .map((e) => {
      const sorted = [...e.runs].sort((a, b) => a.digest.startedAt.localeCompare(b.digest.startedAt));
      return { entry: e, latest: sorted[sorted.length - 1]!.digest };
    })
    .sort(
      (a, b) =>
        OUTCOME_ORDER[a.latest.outcome] - OUTCOME_ORDER[b.latest.outcome] ||
        a.entry.scenario.localeCompare(b.entry.scenario),
    );
}

function indexRow({ entry, latest: d }: { entry: IndexEntry; latest: RunDigest }): IndexRow {
  return {
    name: entry.scenario,
    description: d.description,
    href: entry.href,
    outcome: badge(d.outcome),
    aborted: d.aborted ? `aborted in ${d.aborted.phase}: ${d.aborted.reason}` : null,
    startedAt: d.startedAt,
    duration: formatDuration(d.durationMs),
    checks: `${d.checks.passed} / ${d.checks.total}`,
    failedChecks: [...d.failedChecks, ...d.unknownChecks.map((c) => `${c} (?)`)].join(', '),
    successRatio: d.successRatio === null ? '—' : formatPercent(d.successRatio),
    timeToDetect: d.worstDetectMs === null ? '—' : formatRecovery(d.worstDetectMs),
    timeToHeal: worstHealText(d),
    runs: formatNumber(entry.runs.length),
    trend: buildTrend(entry.runs, d.startedAt),
  };
}
