/**
 * How the reports write numbers, times and windows in words. Every figure a page or a JUnit
 * message shows goes through here, so the HTML, the summary and the JUnit XML say the same thing.
 */
import type { CheckWindow } from '../harness/history/history.js';
import type { VerdictOutcome } from '../harness/checks/verdict.js';

/** The symbol beside each verdict, so it reads without colour too. */
export const OUTCOME_SYMBOL: Readonly<Record<VerdictOutcome, string>> = {
  pass: '✔',
  fail: '✘',
  unknown: '?',
};

export const OUTCOME_LABEL: Readonly<Record<VerdictOutcome, string>> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
};

/** Failures first, then what could not be judged, then passes: the order people read in. */
export const OUTCOME_ORDER: Readonly<Record<VerdictOutcome, number>> = { fail: 0, unknown: 1, pass: 2 };

/** A moment in the run, `m:ss` (or `h:mm:ss`), with tenths when it is not on a whole second. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const tenths = Math.round(Math.abs(ms) / 100);
  const totalSeconds = Math.floor(tenths / 10);
  const fraction = tenths % 10 === 0 ? '' : `.${tenths % 10}`;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const ss = `${String(s).padStart(2, '0')}${fraction}`;
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

/** A length of time in the largest unit that keeps it readable: 350 ms, 4.2 s, 3 min 5 s, 1 h 2 min. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${trimDecimals(abs, abs < 10 ? 1 : 0)} ms`;
  if (abs < 60_000) return `${sign}${trimDecimals(abs / 1000, abs < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.round(abs / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return `${sign}${m} min${s ? ` ${s} s` : ''}`;
  }
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.round((totalSeconds % 3600) / 60);
  return `${sign}${h} h${m ? ` ${m} min` : ''}`;
}

/**
 * A recovery time measured on whole-second load buckets: under a second reads "< 1 s", since the
 * buckets cannot tell 0 ms from 900 ms.
 */
export function formatRecovery(ms: number): string {
  return ms < 1000 ? '< 1 s' : formatDuration(ms);
}

/**
 * A ratio as a percentage with up to two decimals. Never rounds a shortfall up to 100%: 0.99999
 * reads ">99.99%", because "100%" beside a failed availability check would be a lie.
 */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  const text = trimDecimals(ratio * 100, 2);
  if (ratio < 1 && text === '100') return '>99.99%';
  if (ratio > 0 && text === '0') return '<0.01%';
  return `${text}%`;
}

/** A whole count with thousands separators: 60,000. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A number with at most three decimals, trailing zeros dropped. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return trimDecimals(n, digits);
}

/**
 * A checker's measured figure in its unit. Units the reports know are written the way people say
 * them (ratio → percent, ms/s → a duration); any other unit is appended as it is.
 */
export function formatMeasured(value: number | null, unit: string): string {
  if (value === null) return 'not measured';
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case '%':
    case 'percent':
      return `${trimDecimals(value, 2)}%`;
    case 'ms':
      return formatDuration(value);
    case 's':
      return formatDuration(value * 1000);
    case '':
      return formatNumber(value);
    default:
      return `${formatNumber(value)} ${unit}`;
  }
}

/** A check's window as a person says it. */
export function formatWindow(window: CheckWindow): string {
  if (typeof window === 'object') return `during ${window.during}`;
  return window.replace(/-/g, ' ');
}

/** A command line that pastes back into a POSIX shell. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A list in words: "a", "a and b", "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A fault's targets are named up to this many; a pod-kill of 500 pods would otherwise fill pages. */
export const MAX_TARGETS_NAMED = 5;

/** The targets to show: all of up to 5, or the first 5 and "495 more". */
export function shownTargets(targets: readonly string[]): string[] {
  if (targets.length <= MAX_TARGETS_NAMED) return [...targets];
  return [...targets.slice(0, MAX_TARGETS_NAMED), `${formatCount(targets.length - MAX_TARGETS_NAMED)} more`];
}

/** "1 fault", "3 faults". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function trimDecimals(n: number, digits: number): string {
  const fixed = n.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
