import type { PodTemplateSpec } from '../api/types.js';

/**
 * The label a Deployment adds to each of its ReplicaSets' selector and template, and so to their
 * pods (apps/v1 DefaultDeploymentUniqueLabelKey): it keeps the ReplicaSets of one Deployment from
 * selecting each other's pods.
 */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Kubernetes' rand.SafeEncodeString alphabet: no vowels (no words) and no look-alikes (0/o, 1/l). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, of `bytes`, continuing from `hash` (the offset basis by default). Unsigned. */
export function fnv32a(bytes: Uint8Array, hash = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, FNV32_PRIME) >>> 0;
  return h;
}

/** Maps every character of `s` into the safe alphabet, as Kubernetes' rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[b % SAFE_ALPHABET.length];
  return out;
}

/**
 * JSON of `value` with object keys sorted and absent values dropped (undefined, null, `{}`, `[]`),
 * so two templates that mean the same thing serialize the same whatever their key order or the
 * way a client spelled "nothing". Returns undefined for a value that is absent itself.
 */
export function canonicalJson(value: unknown): string | undefined {
  const c = canonical(value);
  return c === undefined ? undefined : JSON.stringify(c);
}

function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/**
 * The pod-template-hash of a Deployment's template (Kubernetes' controller.ComputeHash): FNV-32a
 * of the template's canonical JSON, then, when a collision count is given, of that count as
 * eight little-endian bytes; the decimal value is rendered in the safe alphabet. Equal templates
 * hash equally; bumping the collision count gives a new name after a name collision.
 */
export function computePodTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let hash = fnv32a(Buffer.from(canonicalJson(template) ?? '', 'utf8'));
  if (collisionCount !== undefined) {
    const count = Buffer.alloc(8);
    count.writeUInt32LE(collisionCount >>> 0, 0);
    hash = fnv32a(count, hash);
  }
  return safeEncodeString(String(hash));
}

/**
 * Whether two pod templates are the same but for their pod-template-hash label (Kubernetes'
 * EqualIgnoreHash): how a Deployment recognises the ReplicaSet that runs its current template.
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!t?.metadata?.labels || !(POD_TEMPLATE_HASH_LABEL in t.metadata.labels)) return t;
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...labels } = t.metadata.labels;
  return { ...t, metadata: { ...t.metadata, labels } };
}
