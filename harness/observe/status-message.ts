/** An answer that was not the one hoped for, in a few words: `HTTP 503: etcd is unavailable`. */
export function statusMessage(status: number, body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  const text =
    typeof message === 'string' ? message : typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}
