/**
 * The user's own programs (a cluster spec's `images`) in the docker provider's nodes: an image
 * derived from the node image with one more layer per program, each at
 * `/crucible-images/<content hash>/`, as `kind load docker-image` puts an image on kind's nodes.
 * Pods run as users of their own, so the files go in owned by root and readable by everyone:
 * folders 0755, files 0644, and 0755 for a file its owner may execute.
 *
 * The derived image is tagged `crucible-node:<node image hash>-<programs hash>` and labelled as a
 * node image, so an unchanged program reuses it at once and `crucible down` removes it once no
 * container uses it, as it does older node images.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { loadTestcontainers } from '../support/docker-client.js';
import { ClusterError } from './cluster-error.js';
import type { LoadedImageSpec } from './cluster-spec.js';
import { NODE_IMAGE_LABEL, NODE_IMAGE_LABEL_VALUE } from './node-image.js';

/** Where the programs sit in a node. */
export const LOADED_IMAGES_DIR = '/crucible-images';

/** A node image with the programs in it, and where each program's folder is in a node, by image name. */
export interface NodeImageWithPrograms {
  image: string;
  dirs: ReadonlyMap<string, string>;
}

/**
 * Builds (unless it exists) the node image `base` with every image's files added, and returns it
 * with the folder of each in a node. Without images it is `base` itself.
 */
export async function addLoadedImages(
  base: string,
  images: readonly LoadedImageSpec[],
  progress: (line: string) => void = () => undefined,
): Promise<NodeImageWithPrograms> {
  if (images.length === 0) return { image: base, dirs: new Map() };
  const hashes = images.map((i) => contentHash(i.path));
  const dirs = new Map(images.map((i, k) => [i.name, `${LOADED_IMAGES_DIR}/${hashes[k]}`]));
  const all = createHash('sha256').update(`${base}\n${[...new Set(hashes)].sort().join('\n')}`);
  const image = `${base}-${all.digest('hex').slice(0, 12)}`;

  const tc = await loadTestcontainers();
  const client = await tc.getContainerRuntimeClient();
  if (await client.image.exists(tc.ImageName.fromString(image))) {
    progress(`node image with ${describe(images)} is up to date (${image})`);
    return { image, dirs };
  }
  const started = performance.now();
  const context = await mkdtemp(join(tmpdir(), 'crucible-loaded-images-'));
  try {
    const layers = [...new Map(images.map((i, k) => [hashes[k]!, i.path]))];
    for (const [hash, path] of layers) await packProgram(path, join(context, `${hash}.tar`));
    await writeFile(
      join(context, 'Dockerfile'),
      [
        `FROM ${base}`,
        ...layers.map(([hash]) => `ADD ${hash}.tar ${LOADED_IMAGES_DIR}/${hash}/`),
        `LABEL ${NODE_IMAGE_LABEL}="${NODE_IMAGE_LABEL_VALUE}"`,
        '',
      ].join('\n'),
    );
    try {
      await tc.GenericContainer.fromDockerfile(context).build(image, { deleteOnExit: false });
    } catch (e) {
      throw new ClusterError(
        'ImageBuildFailed',
        `adding ${describe(images)} to the node image failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    progress(`node image with ${describe(images)} built (${image}) in ${seconds} s`);
    return { image, dirs };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

function describe(images: readonly LoadedImageSpec[]): string {
  return images.map((i) => i.name).join(', ');
}

/**
 * sha256 of a program's files, without reading them: every path under it (or the one file) with
 * its mode, size and modification time, and where each symbolic link points.
 */
function contentHash(path: string): string {
  const lines: string[] = [];
  const visit = (abs: string, rel: string) => {
    const s = lstatSync(abs);
    const link = s.isSymbolicLink() ? ` -> ${readlinkSync(abs)}` : '';
    lines.push(`${rel} ${(s.mode & 0o177777).toString(8)} ${s.size} ${s.mtimeMs}${link}`);
    if (s.isDirectory())
      for (const name of readdirSync(abs).sort()) visit(join(abs, name), posix.join(rel, name));
  };
  if (statSync(path).isDirectory()) visit(path, '.');
  else visit(path, basename(path));
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/**
 * A tar of the program: a folder's content, or the one file, owned by root, with folders and
 * executables 0755 and every other file 0644, whatever their modes on this machine.
 */
async function packProgram(path: string, archive: string): Promise<void> {
  const folder = statSync(path).isDirectory();
  const args = [
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    // X: execute for folders and for files that some user may execute already.
    '--mode=u=rwX,go=rX',
    '-C',
    folder ? path : dirname(path),
    '-cf',
    archive,
    folder ? '.' : basename(path),
  ];
  const tar = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((ok, fail) => {
    tar.once('error', fail);
    tar.once('exit', (code) =>
      code === 0
        ? ok()
        : fail(new ClusterError('ImageBuildFailed', `tar of ${path} failed (${code}): ${stderr.trim()}`)),
    );
  });
}
