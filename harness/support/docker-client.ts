import type { ContainerRuntimeClient } from 'testcontainers';

/** The Docker engine's API client (dockerode), as testcontainers holds it. */
export type DockerClient = ContainerRuntimeClient['container']['dockerode'];

/**
 * testcontainers, imported after setting what it needs on a machine without a registry: no Ryuk
 * (its image cannot be pulled; everything crucible starts is labelled and cleaned up by label
 * instead) and the host given (else it runs an alpine container to find the gateway). Values the
 * environment sets already win. Imported lazily: a run on the process provider never loads it.
 */
export async function loadTestcontainers(): Promise<typeof import('testcontainers')> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  return import('testcontainers');
}

let client: Promise<DockerClient> | undefined;

/** The engine client, connected once per process through testcontainers (no Ryuk, nothing pulled). */
export function dockerClient(): Promise<DockerClient> {
  client ??= loadTestcontainers()
    .then((tc) => tc.getContainerRuntimeClient())
    .then((rt) => rt.container.dockerode);
  return client;
}
