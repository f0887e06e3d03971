/**
 * The one catalogue of errors of clusters and their providers, each with a stable code and a
 * message meant for a person: the CLI prints the message, a library user can switch on the code.
 */
export type ClusterErrorCode =
  /** No cluster of that name has a record in $CRUCIBLE_HOME. */
  | 'ClusterNotFound'
  /** The cluster has no node (or member) of that name; the message lists the ones it has. */
  | 'NodeNotFound'
  | 'MemberNotFound'
  /** The provider cannot do this operation at all (a network disconnect without a network). */
  | 'ProviderUnsupported'
  /** A provider name that is not docker, process, kubeconfig or auto. */
  | 'UnknownProvider'
  /** The docker provider was asked for and no Docker engine answers. */
  | 'NoDockerEngine'
  /** Every loopback slot 127.0.S or private subnet is taken. */
  | 'NoFreeAddress'
  /** Something the cluster needs on this machine is missing: etcd, a build, node_modules, an image. */
  | 'MissingPrerequisite'
  /** The node image could not be built. */
  | 'ImageBuildFailed'
  /** The node is not running, so the operation has nothing to act on. */
  | 'NodeNotRunning'
  /** A boot step did not finish in time; the message names what it waited for. */
  | 'BootTimeout'
  /** A program of the spec's `images` that the pods, users of their own, could not read or run. */
  | 'ImageNotReadable'
  /** --provider kubeconfig: the kubeconfig file does not exist, or kubectl cannot read it. */
  | 'KubeconfigNotFound'
  | 'KubeconfigUnreadable'
  /** An existing cluster's context was not named (crucible never picks the current one by itself), or is not in the file. */
  | 'KubeconfigContextNotNamed'
  | 'KubeconfigContextNotFound'
  /** The context authenticates or verifies in a way crucible's clients cannot (exec plugins, no CA). */
  | 'KubeconfigUnsupported'
  /** The existing cluster did not answer, or refused crucible's reads. */
  | 'ClusterUnreachable'
  /** A namespace the run would create exists and is not this run's (a user's, or a live run's). */
  | 'NamespaceTaken';

export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}
