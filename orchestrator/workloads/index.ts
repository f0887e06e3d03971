/**
 * The programs pods run in the process runtime, by image. The kubelet resolves a container's
 * image here and starts `node <program>` with the pod's environment (PORT, POD_IP, POD_NAME,
 * POD_NAMESPACE, NODE_NAME and the container's own env).
 */
import { fileURLToPath } from 'node:url';
import { imageRepository } from '../api/image-reference.js';

/** Image repository → module file name of its program in this folder of the build. */
export const WORKLOAD_IMAGES: Readonly<Record<string, string>> = Object.freeze({
  'crucible/echo': 'echo.js',
  'crucible/crasher': 'crasher.js',
  'crucible/sleeper': 'sleeper.js',
  'crucible/isolation-probe': 'isolation-probe.js',
});

/**
 * The module file name (`echo.js`) of the program an image runs, whatever its tag or white space
 * around it; undefined if none.
 */
export function programForImage(image: string): string | undefined {
  const repo = imageRepository(image.trim());
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
