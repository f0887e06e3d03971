import type { ApiClient } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { ConfigMap, Secret } from '../api/types.js';

const CONFIG_MAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

/** What a pod may draw on: a ConfigMap's or a Secret's entries, decoded. */
export type SourceKind = 'ConfigMap' | 'Secret';

/** A ConfigMap or Secret as a kubelet uses it: its keys and their bytes. */
export interface ConfigSource {
  kind: SourceKind;
  name: string;
  data: ReadonlyMap<string, Buffer>;
}

/**
 * A ConfigMap or Secret a pod needs could not be read: it does not exist (`missing`), or the
 * apiserver could not be asked and nothing was known of it before (`unreachable`).
 */
export class ConfigSourceError extends Error {
  constructor(
    message: string,
    readonly why: 'missing' | 'unreachable',
  ) {
    super(message);
    this.name = 'ConfigSourceError';
  }
}

/**
 * The ConfigMaps and Secrets the pods of a node refer to, read through the apiserver (the Node
 * authorizer lets a kubelet read exactly those) and remembered, as the kubelet's secret and
 * configmap managers: while the apiserver is unreachable a container still starts (or restarts)
 * with what was last read.
 */
export class ConfigSources {
  private readonly known = new Map<string, ConfigSource>();

  constructor(private readonly client: ApiClient) {}

  /** The object, or undefined when it does not exist; throws ConfigSourceError when it cannot be known. */
  async get(kind: SourceKind, namespace: string, name: string): Promise<ConfigSource | undefined> {
    const id = `${kind}/${namespace}/${name}`;
    try {
      const obj = await this.client.tryGet<ConfigMap & Secret>(
        kind === 'Secret' ? SECRETS : CONFIG_MAPS,
        namespace,
        name,
      );
      if (!obj) {
        this.known.delete(id);
        return undefined;
      }
      const source = { kind, name, data: decode(kind, obj) };
      this.known.set(id, source);
      return source;
    } catch (e) {
      if (isApiError(e, 'NotFound')) return undefined;
      const cached = this.known.get(id);
      if (cached) return cached;
      throw new ConfigSourceError(
        `cannot read ${kind === 'Secret' ? 'secret' : 'configmap'} "${name}": ${(e as Error).message}`,
        'unreachable',
      );
    }
  }
}

function decode(kind: SourceKind, obj: ConfigMap & Secret): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  if (kind === 'Secret') {
    for (const [k, v] of Object.entries(obj.data ?? {})) data.set(k, Buffer.from(v, 'base64'));
    return data;
  }
  for (const [k, v] of Object.entries(obj.data ?? {})) data.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(obj.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  return data;
}
