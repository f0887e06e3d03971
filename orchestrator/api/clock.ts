/** Time, injected wherever there are timeouts, retries or timestamps, so tests can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Kubernetes timestamps (metav1.Time) have second precision and a `Z` suffix. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
