import { createHash } from 'node:crypto';
import { copyFile, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestcontainers, type DockerClient } from '../support/docker-client.js';
import { ClusterError } from './cluster-error.js';
import { realToxiproxyServer } from './host-programs.js';

/** The repository of the Toxiproxy images built here from a local toxiproxy-server. */
const REPOSITORY = 'crucible-toxiproxy';

/**
 * The image a docker cluster runs the real Toxiproxy from, or undefined for the bundled one:
 * - TOXIPROXY_IMAGE, when that image is present locally (images are never pulled);
 * - else an image built here FROM scratch with the toxiproxy-server binary this machine has
 *   (TOXIPROXY_SERVER, or toxiproxy-server on PATH): it is static, so it needs nothing else.
 *   Tagged by the binary's hash, so it is built once per binary.
 */
export async function toxiproxyImage(
  docker: DockerClient,
  progress: (line: string) => void,
): Promise<string | undefined> {
  const named = process.env.TOXIPROXY_IMAGE;
  if (named) {
    try {
      await docker.getImage(named).inspect();
      return named;
    } catch {
      throw new ClusterError(
        'MissingPrerequisite',
        `TOXIPROXY_IMAGE=${named}: no such image here (images are never pulled); unset it to use the bundled Toxiproxy`,
      );
    }
  }
  const binary = realToxiproxyServer();
  if (!binary) return undefined;
  const content = await readFile(binary);
  const image = `${REPOSITORY}:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
  const exists = await docker
    .getImage(image)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (exists) return image;
  progress(`toxiproxy: building ${image} from ${binary}`);
  const context = await mkdtemp(join(tmpdir(), 'crucible-toxiproxy-image-'));
  try {
    // A copy with its run bit, whatever the original's folder allows.
    await copyFile(binary, join(context, 'toxiproxy-server'));
    await chmod(join(context, 'toxiproxy-server'), 0o755);
    await writeFile(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY toxiproxy-server /toxiproxy',
        // Info, not trace: the real server logs every connection otherwise.
        'ENV LOG_LEVEL=info',
        'ENTRYPOINT ["/toxiproxy"]',
        '',
      ].join('\n'),
    );
    const tc = await loadTestcontainers();
    await tc.GenericContainer.fromDockerfile(context).build(image, { deleteOnExit: false });
    return image;
  } catch (e) {
    throw new ClusterError(
      'ImageBuildFailed',
      `building ${image} from ${binary} failed: ${(e as Error).message}`,
    );
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
