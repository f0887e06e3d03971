import { errors } from '../api/errors.js';

/** Where a paginated list resumes: the snapshot revision and the first key of the next page. */
export interface ContinueToken {
  revision: number;
  startKey: string;
}

/** Opaque to clients, as in Kubernetes: base64 of a small JSON document. */
export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: token.revision, start: token.startKey })).toString(
    'base64url',
  );
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      v?: number;
      rv?: number;
      start?: string;
    };
    if (
      parsed.v === 1 &&
      Number.isSafeInteger(parsed.rv) &&
      typeof parsed.start === 'string' &&
      parsed.start.startsWith('/registry/')
    ) {
      return { revision: parsed.rv!, startKey: parsed.start };
    }
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('continue key is not valid');
}
