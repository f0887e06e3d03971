import type { LoadSecond } from '../harness/history/history.js';
import type { FaultWindow } from './fault-windows.js';

/** What the load saw around one fault. Times in ms; null where there is nothing to measure. */
export interface RecoveryFigure {
  window: FaultWindow;
  /**
   * Time to detect: from the inject to the start of the first second with a failed request, among
   * the seconds from the one holding the inject until the heal. 0 when the inject's own second
   * failed. Null when no request failed during the fault.
   */
  detectMs: number | null;
  /**
   * Time to heal: from the heal to the start of the second from which every second with requests
   * (until the next inject, or the end of the load) had none failed. 0 when nothing failed after
   * the heal. Null when requests never fully succeeded again, or there was no load after the heal.
   */
  healMs: number | null;
  /**
   * Whether full success returned after the heal: `not-healed` when no heal was recorded,
   * `not-measured` when there was no load after the heal to tell.
   */
  status: 'recovered' | 'not-recovered' | 'not-healed' | 'not-measured';
  /** Why `healMs` is null, in words; null when it is not. */
  notRecovered: string | null;
  /** Failed requests from the inject's second until full success returned (or the window's end). */
  failedRequests: number;
}

/** One second of all loads together. */
interface CombinedSecond {
  t: number;
  count: number;
  failed: number;
}

/** The recovery figures of each fault window, judged on all loads together. */
export function recoveryFigures(
  load: readonly LoadSecond[],
  windows: readonly FaultWindow[],
): RecoveryFigure[] {
  const seconds = combine(load);
  const injects = windows.map((w) => w.startT).sort((a, b) => a - b);
  return windows.map((w) => {
    const from = Math.floor(w.startT / 1000) * 1000;
    const during = seconds.filter((s) => s.t >= from && s.t < w.endT);
    const firstFailed = during.find((s) => s.failed > 0);
    const detectMs = firstFailed ? Math.max(0, firstFailed.t - w.startT) : null;

    const healT = w.heal?.t ?? null;
    const nextInject = injects.find((t) => t > w.startT && healT !== null && t >= healT) ?? Infinity;
    let healMs: number | null = null;
    let notRecovered: string | null = null;
    let status: RecoveryFigure['status'] = 'not-recovered';
    let recoveredAt = w.endT;
    if (healT === null) {
      notRecovered = 'no heal was recorded';
      status = 'not-healed';
    } else {
      const healSecond = Math.floor(healT / 1000) * 1000;
      const after = seconds.filter((s) => s.t >= healSecond && s.t < nextInject && s.count > 0);
      if (after.length === 0) {
        notRecovered = 'no load was recorded after the heal';
        status = 'not-measured';
      } else {
        const lastFailed = after.reduce<number>((i, s, k) => (s.failed > 0 ? k : i), -1);
        if (lastFailed === after.length - 1) {
          notRecovered = 'requests were still failing when the load ended';
        } else {
          recoveredAt = lastFailed < 0 ? healT : after[lastFailed + 1].t;
          healMs = Math.max(0, recoveredAt - healT);
          status = 'recovered';
        }
      }
    }
    const until = healMs === null ? nextInject : recoveredAt;
    const failedRequests = seconds
      .filter((s) => s.t >= from && s.t < until)
      .reduce((sum, s) => sum + s.failed, 0);
    return { window: w, detectMs, healMs, status, notRecovered, failedRequests };
  });
}

function combine(load: readonly LoadSecond[]): CombinedSecond[] {
  const byT = new Map<number, CombinedSecond>();
  for (const s of load) {
    const c = byT.get(s.t) ?? { t: s.t, count: 0, failed: 0 };
    c.count += s.count;
    c.failed += s.failed;
    byT.set(s.t, c);
  }
  return [...byT.values()].sort((a, b) => a.t - b.t);
}
