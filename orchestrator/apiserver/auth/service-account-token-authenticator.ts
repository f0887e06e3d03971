/**
 * Authentication of bound service account tokens, as kube-apiserver's service account token
 * authenticator does it (k8s.io/kubernetes/pkg/serviceaccount): a token from one of the accepted
 * issuers, signed by one of the verification keys, unexpired, for one of the apiserver's audiences,
 * whose service account (and bound pod) still exist with the uids the token names.
 */
import type { Clock } from '../../api/clock.js';
import type { Pod, ServiceAccount } from '../../api/types.js';
import { decodeJwt, verifyRs256 } from './jwt.js';
import type { VerificationKey } from './service-account-keys.js';
import {
  SYSTEM_AUTHENTICATED,
  SYSTEM_SERVICE_ACCOUNTS,
  serviceAccountUsername,
  type UserInfo,
} from './user-info.js';

/**
 * How far apart the clocks of the token's issuer and of this apiserver may be, and how long an
 * object marked for deletion keeps its tokens valid: go-jose's DefaultLeeway, which Kubernetes uses.
 */
export const TOKEN_LEEWAY_SECONDS = 60;

/** Where the authenticator looks up the objects a token names; undefined when one does not exist. */
export interface ServiceAccountTokenGetter {
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
}

export interface ServiceAccountTokenAuthenticatorOptions {
  /** Tokens from these issuers are this authenticator's (`--service-account-issuer`). */
  issuers: readonly string[];
  keys: readonly VerificationKey[];
  /** A token must be for one of these (`--api-audiences`); one without `aud` is taken to be. */
  audiences: readonly string[];
  getter: ServiceAccountTokenGetter;
  clock: Clock;
}

/**
 * What became of a token: the user it authenticates, or why it was refused. A token that is no JWT
 * of an accepted issuer is none of this authenticator's business (undefined), so the next one may
 * judge it.
 */
export type TokenVerdict = { user: UserInfo } | { refused: string } | undefined;

interface KubernetesClaim {
  namespace?: unknown;
  serviceaccount?: { name?: unknown; uid?: unknown };
  pod?: { name?: unknown; uid?: unknown };
}

export class ServiceAccountTokenAuthenticator {
  constructor(private readonly options: ServiceAccountTokenAuthenticatorOptions) {}

  /**
   * Judges `token`. The user is `system:serviceaccount:<namespace>:<name>`, its uid the service
   * account's, in groups `system:serviceaccounts`, `system:serviceaccounts:<namespace>` and
   * `system:authenticated`. Rejects only when a lookup fails (the store is unreachable).
   */
  async authenticate(token: string): Promise<TokenVerdict> {
    const jwt = decodeJwt(token);
    const issuer = jwt?.payload.iss;
    if (!jwt || typeof issuer !== 'string' || !this.options.issuers.includes(issuer)) return undefined;
    const signed = this.keysFor(jwt.header.kid).some((k) => verifyRs256(jwt, k.publicKey));
    if (!signed) return { refused: 'invalid signature' };

    const claims = jwt.payload;
    const now = this.options.clock.now().getTime() / 1000;
    const timing = checkTimes(claims, now);
    if (timing) return { refused: timing };
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : stringsOf(claims.aud);
    const wanted = this.options.audiences;
    if (audiences.length > 0 && !audiences.some((a) => wanted.includes(a)))
      return {
        refused: `token audiences ${JSON.stringify(audiences)} is invalid for the target audiences ${JSON.stringify(wanted)}`,
      };

    const k8s = (claims['kubernetes.io'] ?? {}) as KubernetesClaim;
    const namespace = k8s.namespace;
    const sa = k8s.serviceaccount;
    if (typeof namespace !== 'string' || !namespace || typeof sa?.name !== 'string' || !sa.name)
      return { refused: 'token names no namespace and service account' };
    const username = serviceAccountUsername(namespace, sa.name);
    if (claims.sub !== username) return { refused: `subject ${String(claims.sub)} is not ${username}` };

    // Objects deleted more than the leeway ago no longer vouch for their tokens.
    const deletedBefore = (now - TOKEN_LEEWAY_SECONDS) * 1000;
    const gone = (deletionTimestamp: string | undefined) =>
      deletionTimestamp !== undefined && Date.parse(deletionTimestamp) < deletedBefore;
    const account = await this.options.getter.getServiceAccount(namespace, sa.name);
    if (!account) return { refused: `serviceaccounts "${sa.name}" not found` };
    if (account.metadata.uid !== sa.uid)
      return {
        refused: `service account UID (${account.metadata.uid}) does not match claim (${String(sa.uid)})`,
      };
    if (gone(account.metadata.deletionTimestamp))
      return { refused: `service account ${namespace}/${sa.name} has been deleted` };
    const podRef = k8s.pod;
    if (podRef) {
      const podName = String(podRef.name);
      const pod = await this.options.getter.getPod(namespace, podName);
      if (!pod) return { refused: `pods "${podName}" not found` };
      if (pod.metadata.uid !== podRef.uid)
        return { refused: `pod UID (${pod.metadata.uid}) does not match claim (${String(podRef.uid)})` };
      if (gone(pod.metadata.deletionTimestamp))
        return { refused: `pod ${namespace}/${podName} has been deleted` };
    }
    return {
      user: {
        username,
        uid: account.metadata.uid ?? '',
        groups: [SYSTEM_SERVICE_ACCOUNTS, `${SYSTEM_SERVICE_ACCOUNTS}:${namespace}`, SYSTEM_AUTHENTICATED],
      },
    };
  }

  /** The keys whose id the token names; every key when it names none of them. */
  private keysFor(kid: unknown): readonly VerificationKey[] {
    const named = this.options.keys.filter((k) => k.kid === kid);
    return named.length > 0 ? named : this.options.keys;
  }
}

/** Why the token's exp, nbf or iat rule it out at `now` (seconds), allowing the leeway; or undefined. */
function checkTimes(claims: Record<string, unknown>, now: number): string | undefined {
  const { exp, nbf, iat } = claims;
  if (typeof exp !== 'number') return 'token has no expiry';
  if (now > exp + TOKEN_LEEWAY_SECONDS) return 'service account token has expired';
  if (typeof nbf === 'number' && now + TOKEN_LEEWAY_SECONDS < nbf)
    return 'service account token is not valid yet';
  if (typeof iat === 'number' && now + TOKEN_LEEWAY_SECONDS < iat)
    return 'service account token is issued in the future';
  return undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
