/**
 * core/v1 Secret: structure and the checks of Kubernetes' `ValidateSecret`, with `stringData`
 * checked as the `data` it becomes.
 */
import type { ObjectMeta } from '../types.js';
import { eachInvalid } from './checks.js';
import { key, type FieldErrors } from './field-errors.js';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.js';
import { MAX_CONFIG_MAP_BYTES } from './core-schemas.js';
import { kindShape, validateObjectMeta } from './object-meta-schema.js';
import { boolean, map, string, type Shape } from './shape.js';

/** A whole Secret. */
export const secretShape: Shape = kindShape({
  type: string(),
  data: map(string()),
  stringData: map(string()),
  immutable: boolean(),
});

/** The keys each well-known Secret type must carry. */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface SecretIn {
  metadata?: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/**
 * Semantic checks of a Secret: keys safe as file names, base64 values, the keys its type
 * requires, at most 1 MiB in all. Legacy service account token Secrets are refused: nothing here
 * would ever fill them in (tokens come from the TokenRequest API).
 */
export function validateSecret(errs: FieldErrors, secret: SecretIn): void {
  validateObjectMeta(errs, secret.metadata, { name: nameIsDNSSubdomain });
  let size = 0;
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    eachInvalid(errs, key('data', k), k, isConfigMapKey(k));
    keys.add(k);
    if (v.length % 4 !== 0 || !BASE64.test(v)) {
      errs.invalid(key('data', k), '<secret contents redacted>', 'must be base64-encoded');
    } else {
      size += Buffer.from(v, 'base64').length;
    }
  }
  for (const [k, v] of Object.entries(secret.stringData ?? {})) {
    eachInvalid(errs, key('stringData', k), k, isConfigMapKey(k));
    if (!keys.has(k)) keys.add(k);
    size += Buffer.byteLength(v);
  }
  if (size > MAX_CONFIG_MAP_BYTES) errs.tooLong('data', MAX_CONFIG_MAP_BYTES);
  const type = secret.type ?? 'Opaque';
  if (type === 'kubernetes.io/service-account-token') {
    errs.forbidden(
      'type',
      'legacy service account token Secrets are not supported: no token controller fills them in; request tokens through the TokenRequest API (kubectl create token)',
    );
  }
  for (const required of REQUIRED_KEYS[type] ?? []) {
    if (!keys.has(required)) errs.required(key('data', required));
  }
  if (type === 'kubernetes.io/basic-auth' && !keys.has('username') && !keys.has('password')) {
    errs.required(key('data', 'username'), 'either username or password is required');
  }
}
