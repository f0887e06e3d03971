import { chmod, chown, lstat, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { KeyToPath, KubeObject, Pod, Volume } from '../api/types.js';
import { ConfigSourceError, type ConfigSources, type SourceKind } from './config-sources.js';
import { podFieldValue, resourceFieldValue, type NodeFacts } from './downward-api.js';

const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
const DEFAULT_MODE = 0o644;
/** A projected token is requested again once this share of its life has passed (upstream: 80%). */
const TOKEN_REFRESH_AT = 0.8;

/** Who a pod's volume files belong to; undefined: the kubelet's own user (pods not confined). */
export interface VolumeOwner {
  uid: number;
  gid: number;
}

/**
 * A volume could not be set up (its ConfigMap or Secret is missing, a key it names is not there);
 * the kubelet reports it as a FailedMount event and tries again, as upstream does.
 */
export class VolumeSetUpError extends Error {
  constructor(
    readonly volume: string,
    detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
    this.name = 'VolumeSetUpError';
  }
}

interface DesiredFile {
  content: Buffer;
  mode: number;
}

interface ProjectedToken {
  token: string;
  refreshAt: number;
}

interface TokenRequest extends KubeObject {
  spec: {
    audiences?: string[];
    expirationSeconds: number;
    boundObjectRef: { kind: 'Pod'; apiVersion: 'v1'; name: string; uid: string };
  };
  status?: { token: string; expirationTimestamp: string };
}

/**
 * The volumes of the pods of one node, as the kubelet's volume manager sets them up, one folder
 * per volume under a folder of the pod's: an emptyDir is an empty folder the pod's user owns;
 * secret, configMap, downwardAPI and projected volumes are folders of files (owned by the pod's
 * user, with the volume's modes) written from the objects they name and rewritten whenever those
 * change. The folders of file volumes belong to the kubelet, so a pod cannot swap a file for a
 * link to something of its node's.
 */
export class PodVolumes {
  private readonly tokens = new Map<string, ProjectedToken>();

  constructor(
    private readonly sources: ConfigSources,
    private readonly client: ApiClient,
    private readonly node: NodeFacts,
  ) {}

  /**
   * Sets up (or brings up to date) every volume of `pod` under `root`; the folder of each by its
   * name. Throws VolumeSetUpError for the first volume that cannot be set up, ConfigSourceError
   * when the apiserver cannot be asked about one never read before.
   */
  async setUp(pod: Pod, root: string, owner?: VolumeOwner): Promise<Map<string, string>> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const paths = new Map<string, string>();
    for (const volume of pod.spec.volumes ?? []) {
      const dir = join(root, volume.name);
      if (volume.emptyDir) {
        if (!(await exists(dir))) {
          await mkdir(dir, { recursive: true });
          if (owner) await chown(dir, owner.uid, owner.gid);
          await chmod(dir, 0o777);
        }
      } else {
        const files = await this.filesOf(pod, volume);
        await syncFolder(dir, files, owner);
      }
      paths.set(volume.name, dir);
    }
    return paths;
  }

  /** Forgets the tokens of a pod that is gone. */
  release(podUid: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${podUid}/`)) this.tokens.delete(key);
  }

  private async filesOf(pod: Pod, volume: Volume): Promise<Map<string, DesiredFile>> {
    const files = new Map<string, DesiredFile>();
    const put = (path: string, content: Buffer | string, mode: number) =>
      files.set(path, { content: Buffer.isBuffer(content) ? content : Buffer.from(content), mode });
    if (volume.secret || volume.configMap) {
      const kind: SourceKind = volume.secret ? 'Secret' : 'ConfigMap';
      const name = volume.secret ? volume.secret.secretName : volume.configMap!.name;
      const spec = volume.secret ?? volume.configMap!;
      await this.keysInto(pod, volume.name, kind, name, spec.items, spec.optional, spec.defaultMode, put);
    }
    if (volume.downwardAPI) {
      this.downwardInto(pod, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode, put);
    }
    if (volume.projected) {
      const mode = volume.projected.defaultMode;
      for (const source of volume.projected.sources ?? []) {
        if (source.secret)
          await this.keysInto(
            pod,
            volume.name,
            'Secret',
            source.secret.name,
            source.secret.items,
            source.secret.optional,
            mode,
            put,
          );
        if (source.configMap)
          await this.keysInto(
            pod,
            volume.name,
            'ConfigMap',
            source.configMap.name,
            source.configMap.items,
            source.configMap.optional,
            mode,
            put,
          );
        if (source.downwardAPI) this.downwardInto(pod, source.downwardAPI.items ?? [], mode, put);
        if (source.serviceAccountToken) {
          const { path, audience, expirationSeconds } = source.serviceAccountToken;
          const token = await this.token(pod, `${volume.name}/${path}`, audience, expirationSeconds ?? 3600);
          // A token is the pod's alone: 0600 unless the volume says otherwise, as upstream.
          put(path, token, mode ?? 0o600);
        }
      }
    }
    return files;
  }

  private async keysInto(
    pod: Pod,
    volume: string,
    kind: SourceKind,
    name: string | undefined,
    items: KeyToPath[] | undefined,
    optional: boolean | undefined,
    defaultMode: number | undefined,
    put: (path: string, content: Buffer, mode: number) => void,
  ): Promise<void> {
    if (!name) return;
    const what = kind === 'Secret' ? 'secret' : 'configmap';
    let source;
    try {
      source = await this.sources.get(kind, pod.metadata.namespace ?? 'default', name);
    } catch (e) {
      if (e instanceof ConfigSourceError) throw new VolumeSetUpError(volume, e.message);
      throw e;
    }
    if (!source) {
      if (optional) return;
      throw new VolumeSetUpError(volume, `${what} "${name}" not found`);
    }
    const mode = defaultMode ?? DEFAULT_MODE;
    if (!items?.length) {
      for (const [key, value] of source.data) put(key, value, mode);
      return;
    }
    for (const item of items) {
      const value = source.data.get(item.key);
      if (value === undefined) {
        if (optional) continue;
        throw new VolumeSetUpError(volume, `${what} references non-existent ${what} key: ${item.key}`);
      }
      put(item.path, value, item.mode ?? mode);
    }
  }

  private downwardInto(
    pod: Pod,
    items: NonNullable<NonNullable<Volume['downwardAPI']>['items']>,
    defaultMode: number | undefined,
    put: (path: string, content: string, mode: number) => void,
  ): void {
    for (const item of items) {
      const value = item.fieldRef
        ? podFieldValue(pod, item.fieldRef.fieldPath, this.node)
        : item.resourceFieldRef
          ? resourceFieldValue(pod, undefined, item.resourceFieldRef, this.node)
          : undefined;
      put(item.path, value ?? '', item.mode ?? defaultMode ?? DEFAULT_MODE);
    }
  }

  /** A token for the pod's ServiceAccount, bound to the pod, requested again at 80% of its life. */
  private async token(
    pod: Pod,
    key: string,
    audience: string | undefined,
    expirationSeconds: number,
  ): Promise<string> {
    const id = `${pod.metadata.uid}/${key}`;
    const held = this.tokens.get(id);
    if (held && Date.now() < held.refreshAt) return held.token;
    const issued = Date.now();
    let request: TokenRequest;
    try {
      request = await this.client.create<TokenRequest>(
        SERVICE_ACCOUNTS,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          metadata: { name: pod.spec.serviceAccountName ?? 'default', namespace: pod.metadata.namespace },
          spec: {
            ...(audience ? { audiences: [audience] } : {}),
            expirationSeconds,
            boundObjectRef: {
              kind: 'Pod',
              apiVersion: 'v1',
              name: pod.metadata.name!,
              uid: pod.metadata.uid!,
            },
          },
        },
        'token',
      );
    } catch (e) {
      // An unexpired token keeps serving while the apiserver is away.
      if (held) return held.token;
      throw new VolumeSetUpError(key.split('/')[0]!, `failed to fetch token: ${(e as Error).message}`);
    }
    const token = request.status?.token ?? '';
    const expires = Date.parse(request.status?.expirationTimestamp ?? '');
    const lifetime = Number.isFinite(expires) ? expires - issued : expirationSeconds * 1000;
    this.tokens.set(id, { token, refreshAt: issued + lifetime * TOKEN_REFRESH_AT });
    return token;
  }
}

/**
 * Makes `dir` hold exactly `files` (relative paths, sub-folders made as needed): changed files are
 * replaced whole (a reader never sees half of one), files no longer wanted are removed.
 */
async function syncFolder(dir: string, files: Map<string, DesiredFile>, owner?: VolumeOwner): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  for (const [path, want] of files) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    const current = await readIfFile(file);
    const mode = (await stat(file).catch(() => undefined))?.mode;
    if (current && current.equals(want.content) && mode !== undefined && (mode & 0o7777) === want.mode)
      continue;
    const temporary = `${file}..tmp`;
    await writeFile(temporary, want.content, { mode: want.mode });
    if (owner) await chown(temporary, owner.uid, owner.gid);
    await chmod(temporary, want.mode);
    await rename(temporary, file);
  }
  await prune(dir, '', new Set(files.keys()));
}

/** Removes what is under `dir` and not wanted; true when `dir` itself is left empty. */
async function prune(root: string, relative: string, wanted: ReadonlySet<string>): Promise<boolean> {
  const dir = join(root, relative);
  let empty = true;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !wanted.has(path)) {
      if (await prune(root, path, wanted)) await rm(join(root, path), { recursive: true, force: true });
      else empty = false;
    } else if (!wanted.has(path)) {
      await rm(join(root, path), { force: true });
    } else {
      empty = false;
    }
  }
  return empty;
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    if (!(await lstat(file)).isFile()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
