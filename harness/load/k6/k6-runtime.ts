import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { LoadError } from '../load-error.js';

/** Where k6 comes from: a binary on this machine, or an image already in the local Docker engine. */
export type K6Runtime = { kind: 'binary'; path: string } | { kind: 'image'; image: string };

export const K6_IMAGE = 'grafana/k6';

export interface K6LookupOptions {
  /** K6_BIN and PATH are read from here; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * The local image to use, if any: `grafana/k6` under any tag. Never pulls. By default asks
   * the Docker engine through testcontainers, giving up after a few seconds; `async () =>
   * undefined` skips Docker.
   */
  findImage?: () => Promise<string | undefined>;
}

/**
 * Finds k6: `K6_BIN` (which must then be an executable file — a wrong K6_BIN is an error, not a
 * reason to look elsewhere), else `k6` on PATH, else a local `grafana/k6` image; undefined when
 * there is none.
 */
export async function findK6(options: K6LookupOptions = {}): Promise<K6Runtime | undefined> {
  const env = options.env ?? process.env;
  const explicit = env.K6_BIN;
  if (explicit) {
    // Relative to where the user is: k6 itself is started in a folder of its own.
    const path = resolve(explicit);
    if (await isExecutableFile(path)) return { kind: 'binary', path };
    throw new LoadError('K6NotFound', `K6_BIN="${explicit}" (${path}) is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    if (await isExecutableFile(candidate)) return { kind: 'binary', path: candidate };
  }
  const image = await (options.findImage ?? findLocalK6Image)();
  return image ? { kind: 'image', image } : undefined;
}

/** Like findK6, but a missing k6 is a LoadError K6NotFound saying where it was looked for. */
export async function requireK6(options: K6LookupOptions = {}): Promise<K6Runtime> {
  const found = await findK6(options);
  if (found) return found;
  throw new LoadError(
    'K6NotFound',
    `k6 not found: K6_BIN is not set, no k6 in any folder of PATH (${(options.env ?? process.env).PATH ?? ''}), ` +
      `and no ${K6_IMAGE} image in the local Docker engine (crucible never pulls it); set K6_BIN, put k6 on PATH, ` +
      'or use the builtin driver',
  );
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A `grafana/k6` image in the local engine, under any tag; undefined when none or no engine answers. */
async function findLocalK6Image(timeoutMs = 3000): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { loadTestcontainers } = await import('../../support/docker-client.js');
    const tc = await loadTestcontainers();
    const lookup = (async () => {
      const client = await tc.getContainerRuntimeClient();
      const images = await client.container.dockerode.listImages({ filters: { reference: [K6_IMAGE] } });
      const tag = images.flatMap((i) => i.RepoTags ?? []).find((t) => t.startsWith(`${K6_IMAGE}:`));
      return tag;
    })().catch(() => undefined);
    const timeout = new Promise<undefined>((ok) => (timer = setTimeout(() => ok(undefined), timeoutMs)));
    return await Promise.race([lookup, timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
