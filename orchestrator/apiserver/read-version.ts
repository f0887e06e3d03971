import { errors } from '../api/errors.js';

/** The resourceVersion a read asks for, and how it must match (kube-apiserver's ListOptions). */
export interface ReadVersion {
  /** undefined: none given (a consistent read); 0: any; N: the revision named. */
  revision?: number;
  match?: 'NotOlderThan' | 'Exact';
}

/**
 * Reads and checks `resourceVersion` and `resourceVersionMatch` of a get, list or watch as
 * kube-apiserver validates them: a match needs a resourceVersion, `Exact` cannot be `0`, a watch
 * takes no match, and a continued list names no resourceVersion of its own.
 */
export function parseReadVersion(
  q: URLSearchParams,
  verb: 'get' | 'list' | 'watch',
  continuing = false,
): ReadVersion {
  const text = q.get('resourceVersion') ?? '';
  const matchText = q.get('resourceVersionMatch') ?? '';
  let match: ReadVersion['match'];
  if (matchText) {
    if (verb === 'watch')
      throw errors.badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch');
    if (matchText !== 'NotOlderThan' && matchText !== 'Exact')
      throw errors.badRequest(
        `resourceVersionMatch: Unsupported value: "${matchText}": supported values: "Exact", "NotOlderThan"`,
      );
    if (!text)
      throw errors.badRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    if (continuing)
      throw errors.badRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided',
      );
    if (matchText === 'Exact' && text === '0')
      throw errors.badRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    match = matchText;
  }
  if (!text) return { match };
  const revision = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(revision))
    throw errors.badRequest(`invalid resource version: "${text}"`);
  if (continuing && revision !== 0)
    throw errors.badRequest('specifying resource version is not allowed when using continue');
  return { revision, match };
}
