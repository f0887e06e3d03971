/**
 * The keys of service account tokens, as kube-apiserver reads them: a private key to sign with
 * (`--service-account-signing-key-file`) and the public keys to verify with
 * (`--service-account-key-file`), PEM text holding any number of keys. Every key is RSA, since
 * tokens are RS256.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createServiceAccountKeyPair } from '../../api/pki.js';

/** A key tokens are verified with, and its key id (the `kid` a token's header names). */
export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
}

/** The key tokens are signed with, and the id of its public half. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A key file that cannot be used, naming the file (or flag) and why. */
export class ServiceAccountKeyError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'ServiceAccountKeyError';
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * The public keys in PEM `text` (from `source`, named in errors): public keys (SPKI or PKCS#1),
 * private keys (their public half) and certificates (their subject's key). Blocks of other types
 * are skipped. Throws ServiceAccountKeyError for a key that is not RSA, a block that does not parse,
 * or text without any key.
 */
export function parseVerificationKeys(text: string, source: string): VerificationKey[] {
  const keys: VerificationKey[] = [];
  for (const [block, type] of text.matchAll(PEM_BLOCK)) {
    let publicKey: KeyObject;
    try {
      if (type === 'CERTIFICATE') publicKey = new X509Certificate(block).publicKey;
      else if (type!.endsWith('PUBLIC KEY')) publicKey = createPublicKey(block);
      else if (type!.endsWith('PRIVATE KEY')) publicKey = createPublicKey(createPrivateKey(block));
      else continue;
    } catch (e) {
      throw new ServiceAccountKeyError(source, `cannot parse the ${type} block: ${(e as Error).message}`);
    }
    keys.push({ kid: keyId(rsa(publicKey, source)), publicKey });
  }
  if (keys.length === 0)
    throw new ServiceAccountKeyError(source, 'holds no PEM public key, private key or certificate');
  return keys;
}

/** The first private key in PEM `text` (from `source`); throws ServiceAccountKeyError as above. */
export function parseSigningKey(text: string, source: string): SigningKey {
  for (const [block, type] of text.matchAll(PEM_BLOCK)) {
    if (!type!.endsWith('PRIVATE KEY')) continue;
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(block);
    } catch (e) {
      throw new ServiceAccountKeyError(source, `cannot parse the ${type} block: ${(e as Error).message}`);
    }
    const publicKey = rsa(createPublicKey(privateKey), source);
    return { kid: keyId(publicKey), privateKey, publicKey };
  }
  throw new ServiceAccountKeyError(source, 'holds no PEM private key');
}

/**
 * A fresh signing key, held only in memory: what an apiserver started without key files signs and
 * verifies with. Tokens it signs are valid at that apiserver only, and only until it restarts.
 */
export function generateSigningKey(): SigningKey {
  return parseSigningKey(createServiceAccountKeyPair().privateKeyPem, 'generated key');
}

/**
 * kube-apiserver's key id: the unpadded base64url SHA-256 of the public key's DER (SPKI) encoding,
 * so every apiserver given the same key names it alike.
 */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

function rsa(publicKey: KeyObject, source: string): KeyObject {
  if (publicKey.asymmetricKeyType !== 'rsa')
    throw new ServiceAccountKeyError(
      source,
      `holds a key of type ${publicKey.asymmetricKeyType ?? 'unknown'}; service account tokens are RS256, so keys must be RSA`,
    );
  return publicKey;
}
