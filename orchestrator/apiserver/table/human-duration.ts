/**
 * Kubernetes' `duration.HumanDuration` (k8s.io/apimachinery/pkg/util/duration) and the printers'
 * `translateTimestampSince`, ported so the AGE columns read exactly as kube-apiserver's do.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Formats a duration given in milliseconds as Kubernetes' `HumanDuration` does: `119s`, `3m20s`,
 * `45m`, `3h5m`, `30h`, `2d3h`, `100d`, `3y5d`, `10y`; `0s` for up to two seconds in the future
 * and `<invalid>` beyond that. Fractions are truncated toward zero, never rounded.
 */
export function humanDuration(ms: number): string {
  // Go converts with int(), which truncates; Math.floor would misreport e.g. -1.5s.
  const seconds = Math.trunc(ms / SECOND);
  // Up to two seconds of clock skew between machines still reads as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/**
 * Parses an RFC 3339 timestamp; `undefined` when it is absent or unparseable, which the printers
 * treat like Go's zero `metav1.Time`.
 */
export function parseTimestamp(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The time elapsed from `timestamp` to `now` as {@link humanDuration} renders it, or `<unknown>`
 * when the timestamp is unset — the printers' `translateTimestampSince`.
 */
export function translateTimestampSince(timestamp: string | null | undefined, now: Date): string {
  const at = parseTimestamp(timestamp);
  return at === undefined ? '<unknown>' : humanDuration(now.getTime() - at);
}
