/**
 * Compact JSON Web Signatures with RS256 (RFC 7515, 7518), just what service account tokens need:
 * three base64url parts, `header.payload.signature`, signed with RSASSA-PKCS1-v1_5 over SHA-256.
 */
import { sign, verify, type KeyObject } from 'node:crypto';

/** The JOSE header of a token. */
export interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
  [field: string]: unknown;
}

/** A token taken apart, its signature not yet checked. */
export interface DecodedJwt {
  header: JwtHeader;
  payload: Record<string, unknown>;
  /** `header.payload` as sent: what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Signs `payload` with `privateKey` (RSA) as an RS256 JWT whose header names `kid`. */
export function signJwt(payload: object, privateKey: KeyObject, kid: string): string {
  const signingInput = `${encodePart({ alg: 'RS256', kid })}.${encodePart(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * The parts of a compact JWS, or undefined when `token` is not one: not three base64url parts,
 * or a header or payload that is not a JSON object.
 */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  const header = decodePart(parts[0]!);
  const payload = decodePart(parts[1]!);
  if (!header || !payload) return undefined;
  return {
    header,
    payload,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2]!, 'base64url'),
  };
}

/** Whether `jwt` is RS256 and its signature checks out with `publicKey`. */
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  return verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
}

function encodePart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
