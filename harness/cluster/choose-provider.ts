import { ClusterError } from './cluster-error.js';
import type { ClusterProvider } from './cluster-provider.js';
import type { ProviderName } from './cluster-record.js';
import { DockerProvider, type DockerProviderOptions } from './docker-provider.js';
import { KubeconfigProvider, type KubeconfigTarget } from './kubeconfig-provider.js';
import { dockerEngineAnswers } from './node-image.js';
import { ProcessProvider } from './process-provider.js';

export type ProviderChoice = ProviderName | 'auto';

export interface ProviderOptions extends DockerProviderOptions {
  /** kubeconfig: which existing cluster (its file and context). */
  target?: KubeconfigTarget;
}

/**
 * The provider by name; `auto` is docker when a Docker engine answers, else process (the
 * embedded default on a machine without Docker); kubeconfig connects to the existing cluster
 * `options.target` names, and fails now when it cannot.
 */
export async function chooseProvider(
  choice: ProviderChoice,
  options: ProviderOptions = {},
): Promise<ClusterProvider> {
  switch (choice) {
    case 'kubeconfig':
      if (!options.target)
        throw new ClusterError(
          'KubeconfigNotFound',
          '--provider kubeconfig needs --kubeconfig FILE and --context NAME (or cluster: {kubeconfig, context} in the scenario)',
        );
      return KubeconfigProvider.connect(options.target);
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
        `--provider: "${String(choice)}" is not one of docker, process, kubeconfig, auto`,
      );
  }
}

/** The provider that runs a cluster crucible booted, by the name its record gives. */
export function providerFor(name: ProviderName): ClusterProvider {
  if (name === 'kubeconfig')
    throw new ClusterError(
      'ProviderUnsupported',
      'an existing cluster has no crucible record: use --provider kubeconfig',
    );
  return name === 'docker' ? new DockerProvider() : new ProcessProvider();
}
