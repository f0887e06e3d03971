/**
 * Figures in the words a verdict uses: percentages, durations, counts, moments of the run.
 * Deterministic (no locale), so a verdict reads the same on every machine.
 */

/**
 * A ratio as a percentage with one decimal, more when rounding would put the figure on the
 * other side of 0%, 100% or one of `landmarks` (a threshold it is compared with): 0.9996 reads
 * "99.96%", never "100%".
 */
export function formatPercent(ratio: number, landmarks: readonly number[] = []): string {
  const marks = [0, 1, ...landmarks];
  for (let digits = 1; ; digits++) {
    const text = trimZeros((ratio * 100).toFixed(digits));
    const shown = Number(text) / 100;
    const honest = marks.every((m) => Math.sign(shown - m) === Math.sign(ratio - m));
    if (honest || digits >= 6) return `${text}%`;
  }
}

/** A ratio a scenario set as a limit, as a percentage to 4 decimals, trimmed: 0.9995 → "99.95%". */
export function formatLimitPercent(ratio: number): string {
  return `${trimZeros((ratio * 100).toFixed(4))}%`;
}

/** 250 → "250 ms", 1500 → "1.5 s", 125_000 → "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trimZeros((ms / 1000).toFixed(1))} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** A moment of the run, in seconds since it started: 12_345 → "12.3 s". */
export function formatT(t: number): string {
  return `${trimZeros((t / 1000).toFixed(1))} s`;
}

/** 3000 → "3,000". */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** ['a', 'b', 'c'] → "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** "1 request", "2 requests". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** "after the faults were healed" → "After the faults were healed". */
export function capitalize(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}
