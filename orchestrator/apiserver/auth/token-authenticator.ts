import { createHash, timingSafeEqual } from 'node:crypto';

import { bearerToken } from './bearer-token.js';
import { withAuthenticatedGroup, type UserInfo } from './user-info.js';

interface TokenEntry {
  digest: Buffer;
  user: UserInfo;
}

/**
 * Authenticates `Authorization: Bearer <token>` headers against a fixed set of tokens, as
 * kube-apiserver's token-file authenticator does.
 */
export class TokenAuthenticator {
  // Digests, not tokens: equal-length values let every comparison take the same time and hide the
  // length of the real tokens.
  private readonly entries: readonly TokenEntry[];

  /** `tokens` maps each bearer token to its user; it is copied, later changes to it are not seen. */
  constructor(tokens: Map<string, UserInfo>) {
    this.entries = [...tokens].map(([token, user]) => ({
      digest: digestOf(token),
      user: withAuthenticatedGroup(user),
    }));
  }

  /**
   * The user the header's bearer token belongs to, with group `system:authenticated`; a fresh copy
   * the caller may keep. `undefined` when the header is absent, is not a bearer header (the scheme is
   * matched case-insensitively) or carries an unknown token: the caller answers 401, or treats the
   * request as anonymous when there was no header and anonymous requests are enabled.
   *
   * The presented token is compared with every known token in constant time, so response timing
   * reveals neither which token nor how much of one was right.
   */
  authenticate(authorizationHeader: string | undefined): UserInfo | undefined {
    const token = bearerToken(authorizationHeader);
    if (token === undefined) return undefined;
    const digest = digestOf(token);
    let found: UserInfo | undefined;
    for (const entry of this.entries) {
      // No early exit: the loop costs the same whether and where the token matches.
      if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.user;
    }
    return found && { username: found.username, uid: found.uid, groups: [...found.groups] };
  }
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
