/**
 * A network failure in a few words for a history: `no answer within 1000 ms`,
 * `ECONNREFUSED (connect ECONNREFUSED 127.0.5.254:6443)`. Undici reports a deadline as the
 * signal's TimeoutError, or as one of its own abort or timeout errors.
 */
export function failureMessage(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const name = e?.name ?? '';
  const code = e?.code ?? e?.cause?.code ?? '';
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    /TIMEOUT|ABORTED/.test(code) ||
    name === 'RequestAbortedError'
  )
    return `no answer within ${timeoutMs} ms`;
  const message = e?.message ?? String(error);
  return code && !message.includes(code) ? `${code} (${message})` : message;
}
