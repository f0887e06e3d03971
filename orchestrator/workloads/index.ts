/**
 * The programs pods run in the process runtime, by image. The kubelet resolves a container's
 * image here and starts `node <program>` with the pod's environment (PORT, POD_IP, POD_NAME,
 * POD_NAMESPACE, NODE_NAME and the container's own env).
 */
import { fileURLToPath } from 'node:url';

/** Image repository → module file name of its program in this folder of the build. */
export const WORKLOAD_IMAGES: Readonly<Record<string, string>> = Object.freeze({
  'crucible/echo': 'echo.js',
  'crucible/crasher': 'crasher.js',
  'crucible/sleeper': 'sleeper.js',
});

/**
 * The image's repository without tag, digest or Docker Hub prefix:
 * `docker.io/crucible/echo:v2@sha256:…` → `crucible/echo`. A registry port (`host:5000/x`) is
 * not mistaken for a tag.
 */
export function imageRepository(image: string): string {
  let repo = image.trim();
  const at = repo.indexOf('@');
  if (at >= 0) repo = repo.slice(0, at);
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) repo = repo.slice(0, colon);
  for (const prefix of ['docker.io/library/', 'docker.io/', 'index.docker.io/'])
    if (repo.startsWith(prefix)) return repo.slice(prefix.length);
  return repo;
}

/** The module file name (`echo.js`) of the program an image runs, whatever its tag; undefined if none. */
export function programForImage(image: string): string | undefined {
  const repo = imageRepository(image);
  return Object.hasOwn(WORKLOAD_IMAGES, repo) ? WORKLOAD_IMAGES[repo] : undefined;
}

/**
 * The absolute path of the built program an image runs, undefined if none. From dist/ it sits
 * beside this module; run from source (tests under tsx) it is the build in dist/ at the
 * repository root, since the programs are started with plain `node`.
 */
export function workloadProgramPath(image: string): string | undefined {
  const program = programForImage(image);
  if (!program) return undefined;
  const dir = import.meta.url.includes('/dist/') ? './' : '../../dist/orchestrator/workloads/';
  return fileURLToPath(new URL(dir + program, import.meta.url));
}
