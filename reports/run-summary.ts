import type { History } from '../harness/history/history.js';
import type { Verdict } from '../harness/checks/verdict.js';
import {
  formatCount,
  formatDuration,
  formatMeasured,
  formatOffset,
  formatPercent,
  joinWords,
  plural,
  shownTargets,
} from './format.js';
import type { RecoveryFigure } from './recovery-figures.js';
import type { RunDigest } from './run-digest.js';

const MAX_FAULTS_NAMED = 3;
const MAX_CHECKS_EXPLAINED = 3;

/**
 * One paragraph in plain words for someone who does not run the tool: the outcome, which checks
 * failed and why (the checker's own sentence), what was done to the cluster, what the load saw,
 * and how quickly it recovered.
 */
export function summarizeRun(
  history: History,
  judged: readonly Verdict[],
  digest: RunDigest,
  figures: readonly RecoveryFigure[],
): string {
  const m = history.metadata;
  const c = digest.checks;
  const sentences: string[] = [];

  if (c.total === 0)
    sentences.push(`Scenario “${m.scenario.name}” declared no checks, so nothing was judged.`);
  else {
    const verdictWord = { pass: 'passed', fail: 'failed', unknown: 'was inconclusive' }[digest.outcome];
    let s = `Scenario “${m.scenario.name}” ${verdictWord}: ${c.passed} of ${plural(c.total, 'check')} passed`;
    if (c.failed) s += `, ${c.failed} failed (${joinWords(digest.failedChecks.map(quote))})`;
    if (c.unknown) s += `, ${c.unknown} could not be judged (${joinWords(digest.unknownChecks.map(quote))})`;
    sentences.push(`${s}.`);
  }
  if (m.aborted) {
    sentences.push(
      `The run was aborted during the ${m.aborted.phase} phase (${trimStop(m.aborted.reason)}), so its history is incomplete.`,
    );
  }
  for (const v of judged.filter((v) => v.outcome === 'fail').slice(0, MAX_CHECKS_EXPLAINED)) {
    sentences.push(
      `${quote(v.check)}: ${trimStop(v.summary)} (measured ${formatMeasured(v.measured, v.unit)}; required ${v.threshold}).`,
    );
  }

  let cluster = `It ran for ${formatDuration(digest.durationMs)} on ${plural(m.topology.length, 'node')} (${m.provider} provider)`;
  if (figures.length === 0) cluster += ' and injected no fault.';
  else {
    const named = figures.slice(0, MAX_FAULTS_NAMED).map(({ window: w }) => {
      const on = w.fault.targets.length ? ` on ${joinWords(shownTargets(w.fault.targets))}` : '';
      const until = w.heal ? `${formatOffset(w.heal.t)}` : 'the end (no heal recorded)';
      return `${w.fault.type}${on} from ${formatOffset(w.startT)} to ${until}`;
    });
    const more = figures.length - named.length;
    cluster += ` and injected ${plural(figures.length, 'fault')}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
  }
  sentences.push(cluster);

  if (digest.successRatio === null) sentences.push('No load was recorded.');
  else {
    sentences.push(
      `The load sent ${formatCount(digest.requests)} requests and ${formatPercent(digest.successRatio)} of them succeeded.`,
    );
  }

  const measured = figures.filter((f) => f.detectMs !== null || f.status !== 'not-measured');
  if (digest.successRatio !== null && measured.length) {
    const parts: string[] = [];
    const worst = (xs: (number | null)[]) =>
      xs.reduce<number | null>((a, x) => (x === null ? a : a === null ? x : Math.max(a, x)), null);
    const detect = worst(figures.map((f) => f.detectMs));
    if (detect === null) parts.push('no request failed while a fault was active');
    else parts.push(`${figures.length > 1 ? 'at worst, ' : ''}errors began ${afterWords(detect)} the inject`);
    const heal = worst(figures.map((f) => f.healMs));
    if (heal !== null) parts.push(`requests fully succeeded again ${afterWords(heal)} the heal`);
    let s = `${capitalize(joinWords(parts))}.`;
    const stuck = figures.filter((f) => f.status === 'not-recovered');
    if (stuck.length) {
      s += ` After the heal of ${joinWords(stuck.map((f) => f.window.fault.id))}, requests never fully succeeded again before the load ended.`;
    }
    const unhealed = figures.filter((f) => f.status === 'not-healed');
    if (unhealed.length)
      s += ` No heal was recorded for ${joinWords(unhealed.map((f) => f.window.fault.id))}.`;
    sentences.push(s);
  }
  return sentences.join(' ');
}

function afterWords(ms: number): string {
  return ms < 1000 ? 'within a second of' : `${formatDuration(ms)} after`;
}

function quote(s: string): string {
  return `“${s}”`;
}

function trimStop(s: string): string {
  return s.trim().replace(/[.。]+$/, '');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
