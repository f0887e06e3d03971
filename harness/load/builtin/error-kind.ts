import type { LoadErrorKind } from '../load-sample.js';

const BY_CODE: Record<string, LoadErrorKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  // undici: "other side closed" — the peer ended the connection before a whole answer.
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
};

/**
 * The kind of a transport failure thrown by undici (or Node's net and tls beneath it), with the
 * code it was recognised by: the code of the error itself, else of its cause.
 */
export function errorKindOf(error: unknown): { kind: LoadErrorKind; code: string } {
  const codes = [codeOf(error), codeOf((error as { cause?: unknown } | null)?.cause)].filter(
    (c): c is string => c !== undefined,
  );
  for (const code of codes) {
    const kind = BY_CODE[code];
    if (kind) return { kind, code };
  }
  for (const code of codes) {
    if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code))
      return { kind: 'tls', code };
  }
  if ((error as { name?: string } | null)?.name === 'TimeoutError')
    return { kind: 'timeout', code: 'TimeoutError' };
  return { kind: 'other', code: codes[0] ?? (error as { name?: string } | null)?.name ?? 'Error' };
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
