/**
 * Clusters: the bundled orchestrator's (their spec, the providers that run them — docker: a
 * container per node; process: local processes — their records and credentials on disk) and
 * existing Kubernetes clusters reached through a kubeconfig; the live handle on a running cluster,
 * what it lets crucible do, and the clean-up of whatever a run left. The rest of the harness
 * reaches a cluster only through this file.
 */
export { chooseProvider, providerFor, type ProviderChoice, type ProviderOptions } from './choose-provider.js';
export { ALL_FEATURES, type ClusterFeature, FEATURE_WORDS } from './cluster-features.js';
export { createLinks } from './cluster-boot.js';
export { adminClient, withAdminClient } from './cluster-client.js';
export { type ClusterCredentials } from './cluster-credentials.js';
export { ClusterError, type ClusterErrorCode } from './cluster-error.js';
export type { ClusterLink, ClusterMember, MemberRole } from './cluster-plan.js';
export type { ClusterProvider } from './cluster-provider.js';
export {
  type ClusterRecord,
  type ProviderName,
  clusterDir,
  crucibleHome,
  listClusterRecords,
  requireClusterRecord,
  memberNamed,
  membersOf,
  nodeNames,
  readClusterRecord,
  removeClusterDir,
} from './cluster-record.js';
export {
  CLUSTER_API_VERSION,
  type ClusterSpec,
  clusterSpecSchema,
  defaultClusterSpec,
  parseClusterSpec,
  simulatedNodeNames,
  workerNames,
} from './cluster-spec.js';
export { DockerProvider, type DockerProviderOptions } from './docker-provider.js';
export { DOCKER_CLUSTER_LABEL, reapDocker } from './docker-engine.js';
export { PROJECT_ROOT, ORCHESTRATOR_MAIN, componentNodeArgs } from './host-programs.js';
export { startLocalControlPlane } from './local-control-plane.js';
export { LocalProcess } from './local-process.js';
export { KubeconfigProvider, type KubeconfigTarget } from './kubeconfig-provider.js';
export { buildNodeImage, dockerEngineAnswers } from './node-image.js';
export { openCluster } from './open-cluster.js';
export {
  HEARTBEAT_ANNOTATION,
  KEPT_ANNOTATION,
  RUN_LABEL,
  createOwnedNamespace,
  deleteNamespaces,
  listOwnedNamespaces,
  ownedSelector,
  renewHeartbeat,
} from './owned-namespaces.js';
export { ProcessProvider } from './process-provider.js';
export { labelledProcesses, reapProcesses } from './process-reaper.js';
export { isProcessAlive } from './process-identity.js';
export { processTree } from './process-tree.js';
export { unconfineHostPods } from './host-pod-confinement.js';
export type {
  DropRule,
  ExecResult,
  PacketFilter,
  PodEscapeTargets,
  RunningCluster,
} from './running-cluster.js';
