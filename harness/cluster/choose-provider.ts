import { ClusterError } from './cluster-error.js';
import type { ClusterProvider } from './cluster-provider.js';
import type { ProviderName } from './cluster-record.js';
import { DockerProvider, type DockerProviderOptions } from './docker-provider.js';
import { dockerEngineAnswers } from './node-image.js';
import { ProcessProvider } from './process-provider.js';

export type ProviderChoice = ProviderName | 'auto';

/**
 * The provider by name; `auto` is docker when a Docker engine answers, else process (the
 * embedded default on a machine without Docker).
 */
export async function chooseProvider(
  choice: ProviderChoice,
  options: DockerProviderOptions = {},
): Promise<ClusterProvider> {
  switch (choice) {
    case 'docker':
      if (!(await dockerEngineAnswers()))
        throw new ClusterError(
          'NoDockerEngine',
          '--provider docker: no Docker engine answers (start dockerd, or use --provider process)',
        );
      return new DockerProvider(options);
    case 'process':
      return new ProcessProvider();
    case 'auto':
      return (await dockerEngineAnswers(2000)) ? new DockerProvider(options) : new ProcessProvider();
    default:
      throw new ClusterError(
        'UnknownProvider',
        `--provider: "${String(choice)}" is not one of docker, process, auto`,
      );
  }
}

/** The provider that runs a cluster, by the name its record gives. */
export function providerFor(name: ProviderName): ClusterProvider {
  return name === 'docker' ? new DockerProvider() : new ProcessProvider();
}
