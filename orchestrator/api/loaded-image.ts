import { imageRepository } from './image-reference.js';

/**
 * An image loaded onto the nodes, as `kind load docker-image` does for kind: a user's own program
 * (a Node.js app's folder, or a static binary) that pods of the image run. The kubelet learns
 * each from a `--image` flag; the harness makes them from the cluster spec's `images`.
 */
export interface LoadedImage {
  /** The image reference pods name, e.g. `example.com/my-api:1.0`; no tag means `latest`. */
  image: string;
  /** The absolute folder that holds the program's files: the containers' working directory. */
  dir: string;
  /** What a container of the image runs (its entry point); `node` is the node agent's own Node.js. */
  command: string[];
}

/** A repository path (lower case components, optional registry host:port), as Docker accepts one. */
export const IMAGE_REPOSITORY =
  /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * `repository:tag` of an image reference with Docker's defaults filled in (`my-api` →
 * `my-api:latest`, `docker.io/library/x` → `x`), so references to one image compare equal;
 * undefined when it is no reference (a digest is not one here: loaded images have tags).
 */
export function normalizedImage(reference: string): string | undefined {
  if (reference.includes('@')) return undefined;
  const repository = imageRepository(reference);
  if (!repository || !IMAGE_REPOSITORY.test(repository)) return undefined;
  const colon = reference.lastIndexOf(':');
  const tag = colon > reference.lastIndexOf('/') ? reference.slice(colon + 1) : 'latest';
  return TAG.test(tag) ? `${repository}:${tag}` : undefined;
}

/** The loaded image a pod's image reference names, if any. */
export function findLoadedImage(images: readonly LoadedImage[], reference: string): LoadedImage | undefined {
  const wanted = normalizedImage(reference);
  return wanted === undefined ? undefined : images.find((i) => normalizedImage(i.image) === wanted);
}

/** The `--image` flag's value: `<image>=<dir>:<command as a JSON array>`. */
export function formatImageFlag(image: LoadedImage): string {
  return `${image.image}=${image.dir}:${JSON.stringify(image.command)}`;
}

/**
 * Reads a `--image` value, `<image>=<dir>:<command as a JSON array>`, e.g.
 * `example.com/my-api:1.0=/crucible-images/0a1b2c:["node","server.js"]`; a RangeError saying what
 * is wrong otherwise. An image reference holds no `=`, and the command starts at the first `:[`.
 */
export function parseImageFlag(text: string): LoadedImage {
  const shape = `"${text}" is not <image>=<dir>:<command as a JSON array>, e.g. my-api:1.0=/srv/my-api:["node","server.js"]`;
  const eq = text.indexOf('=');
  const split = text.indexOf(':[', eq);
  if (eq <= 0 || split < 0) throw new RangeError(shape);
  const image = text.slice(0, eq);
  const dir = text.slice(eq + 1, split);
  let command: unknown;
  try {
    command = JSON.parse(text.slice(split + 1));
  } catch {
    throw new RangeError(shape);
  }
  if (normalizedImage(image) === undefined) throw new RangeError(`"${image}" is not an image reference`);
  if (!dir.startsWith('/')) throw new RangeError(`${image}: the folder "${dir}" is not an absolute path`);
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((c): c is string => typeof c === 'string' && c !== '')
  )
    throw new RangeError(`${image}: the command must be a non-empty JSON array of non-empty strings`);
  return { image, dir, command };
}
