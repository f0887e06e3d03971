/**
 * The Kubernetes protobuf schema for the kinds clients may send us, as proto2 text.
 *
 * Field numbers and wire types are transcribed from the upstream `generated.proto` files and the
 * `protobuf:"…"` struct tags in the Go types they are generated from (kubernetes/kubernetes
 * staging/src/k8s.io/api and staging/src/k8s.io/apimachinery). Messages are complete for every field
 * kubectl 1.32 knows — kubectl-descriptors.int.test.ts holds them against the descriptors compiled
 * into the kubectl binary — plus the fields upstream added after 1.32, so newer clients lose nothing.
 *
 * The wire format alone cannot say how Go renders a field in JSON, so two custom field options
 * carry what the Go struct tags say:
 *
 * - `(emit)`: the field is rendered in JSON whenever it is on the wire, even when it holds the
 *   zero value — the field is a Go pointer (`*int32 replicas`: 0 means "zero", not "unset") or
 *   its json tag lacks `omitempty` (`containerPort`, `ready`). Scalars without it follow
 *   `omitempty`: a zero value is left out, as Go would.
 * - `(inline)`: the field is an embedded Go struct whose fields appear in the parent's JSON
 *   object (`json:",inline"`), e.g. `Probe.handler` or `Volume.volumeSource`.
 * - `(json)`: the field's JSON key where it is not the proto field's name (`uID`, tagged
 *   `json:"uid"` in Go).
 *
 * Message fields (pointer or not) are rendered whenever present on the wire; repeated and map
 * fields when non-empty. Time, MicroTime, Quantity, IntOrString, FieldsV1 and RawExtension have
 * their own JSON forms (see codec.ts).
 *
 * Deliberately absent: authorization's still-unreleased authorizationOptions/conditionalDecision, and
 * the kinds no client of ours sends (PersistentVolume, …).
 */

/** One upstream proto package: its name, where upstream keeps it, and our transcription. */
export interface KubernetesProtoFile {
  readonly package: string;
  readonly upstream: string;
  readonly source: string;
}

/** The transcribed packages, in dependency order. */
export const KUBERNETES_PROTO_FILES: readonly KubernetesProtoFile[] = [
  {
    package: 'k8s.io.apimachinery.pkg.runtime',
    upstream: 'k8s.io/apimachinery/pkg/runtime/generated.proto',
    source: `
message TypeMeta {
  optional string apiVersion = 1;
  optional string kind = 2;
}

message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}

message RawExtension {
  optional bytes raw = 1;
}
`,
  },
  {
    package: 'k8s.io.apimachinery.pkg.util.intstr',
    upstream: 'k8s.io/apimachinery/pkg/util/intstr/generated.proto',
    source: `
message IntOrString {
  optional int64 type = 1;
  optional int32 intVal = 2;
  optional string strVal = 3;
}
`,
  },
  {
    package: 'k8s.io.apimachinery.pkg.api.resource',
    upstream: 'k8s.io/apimachinery/pkg/api/resource/generated.proto',
    source: `
message Quantity {
  optional string string = 1;
}
`,
  },
  {
    package: 'k8s.io.apimachinery.pkg.apis.meta.v1',
    upstream: 'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto',
    source: `
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10 [(emit) = true];
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}

message OwnerReference {
  optional string apiVersion = 5 [(emit) = true];
  optional string kind = 1 [(emit) = true];
  optional string name = 3 [(emit) = true];
  optional string uid = 4 [(emit) = true];
  optional bool controller = 6 [(emit) = true];
  optional bool blockOwnerDeletion = 7 [(emit) = true];
}

message ManagedFieldsEntry {
  optional string manager = 1;
  optional string operation = 2;
  optional string apiVersion = 3;
  optional Time time = 4;
  optional string fieldsType = 6;
  optional FieldsV1 fieldsV1 = 7;
  optional string subresource = 8;
}

message FieldsV1 {
  optional bytes Raw = 1;
}

message LabelSelector {
  map<string, string> matchLabels = 1;
  repeated LabelSelectorRequirement matchExpressions = 2;
}

message LabelSelectorRequirement {
  optional string key = 1 [(emit) = true];
  optional string operator = 2 [(emit) = true];
  repeated string values = 3;
}

message FieldSelectorRequirement {
  optional string key = 1 [(emit) = true];
  optional string operator = 2 [(emit) = true];
  repeated string values = 3;
}

message Condition {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
  optional int64 observedGeneration = 3;
  optional Time lastTransitionTime = 4;
  optional string reason = 5 [(emit) = true];
  optional string message = 6 [(emit) = true];
}

message DeleteOptions {
  optional int64 gracePeriodSeconds = 1 [(emit) = true];
  optional Preconditions preconditions = 2;
  optional bool orphanDependents = 3 [(emit) = true];
  optional string propagationPolicy = 4 [(emit) = true];
  repeated string dryRun = 5;
  optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6 [(emit) = true];
}

message Preconditions {
  optional string uid = 1 [(emit) = true];
  optional string resourceVersion = 2 [(emit) = true];
}

message Time {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}

message MicroTime {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}
`,
  },
  {
    package: 'k8s.io.api.core.v1',
    upstream: 'k8s.io/api/core/v1/generated.proto',
    source: `
message Volume {
  optional string name = 1 [(emit) = true];
  optional VolumeSource volumeSource = 2 [(inline) = true];
}

message VolumeSource {
  optional HostPathVolumeSource hostPath = 1;
  optional EmptyDirVolumeSource emptyDir = 2;
  optional GCEPersistentDiskVolumeSource gcePersistentDisk = 3;
  optional AWSElasticBlockStoreVolumeSource awsElasticBlockStore = 4;
  optional GitRepoVolumeSource gitRepo = 5;
  optional SecretVolumeSource secret = 6;
  optional NFSVolumeSource nfs = 7;
  optional ISCSIVolumeSource iscsi = 8;
  optional GlusterfsVolumeSource glusterfs = 9;
  optional PersistentVolumeClaimVolumeSource persistentVolumeClaim = 10;
  optional RBDVolumeSource rbd = 11;
  optional FlexVolumeSource flexVolume = 12;
  optional CinderVolumeSource cinder = 13;
  optional CephFSVolumeSource cephfs = 14;
  optional FlockerVolumeSource flocker = 15;
  optional DownwardAPIVolumeSource downwardAPI = 16;
  optional FCVolumeSource fc = 17;
  optional AzureFileVolumeSource azureFile = 18;
  optional ConfigMapVolumeSource configMap = 19;
  optional VsphereVirtualDiskVolumeSource vsphereVolume = 20;
  optional QuobyteVolumeSource quobyte = 21;
  optional AzureDiskVolumeSource azureDisk = 22;
  optional PhotonPersistentDiskVolumeSource photonPersistentDisk = 23;
  optional PortworxVolumeSource portworxVolume = 24;
  optional ScaleIOVolumeSource scaleIO = 25;
  optional ProjectedVolumeSource projected = 26;
  optional StorageOSVolumeSource storageos = 27;
  optional CSIVolumeSource csi = 28;
  optional EphemeralVolumeSource ephemeral = 29;
  optional ImageVolumeSource image = 30;
}

message PersistentVolumeClaimVolumeSource {
  optional string claimName = 1 [(emit) = true];
  optional bool readOnly = 2;
}

message PersistentVolumeClaimSpec {
  repeated string accessModes = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 4;
  optional VolumeResourceRequirements resources = 2;
  optional string volumeName = 3;
  optional string storageClassName = 5 [(emit) = true];
  optional string volumeMode = 6 [(emit) = true];
  optional TypedLocalObjectReference dataSource = 7;
  optional TypedObjectReference dataSourceRef = 8;
  optional string volumeAttributesClassName = 9 [(emit) = true];
}

message TypedObjectReference {
  optional string apiGroup = 1 [(emit) = true];
  optional string kind = 2 [(emit) = true];
  optional string name = 3 [(emit) = true];
  optional string namespace = 4 [(emit) = true];
}

message HostPathVolumeSource {
  optional string path = 1 [(emit) = true];
  optional string type = 2 [(emit) = true];
}

message EmptyDirVolumeSource {
  optional string medium = 1;
  optional k8s.io.apimachinery.pkg.api.resource.Quantity sizeLimit = 2;
}

message GlusterfsVolumeSource {
  optional string endpoints = 1 [(emit) = true];
  optional string path = 2 [(emit) = true];
  optional bool readOnly = 3;
}

message RBDVolumeSource {
  repeated string monitors = 1;
  optional string image = 2 [(emit) = true];
  optional string fsType = 3;
  optional string pool = 4;
  optional string user = 5;
  optional string keyring = 6;
  optional LocalObjectReference secretRef = 7;
  optional bool readOnly = 8;
}

message CinderVolumeSource {
  optional string volumeID = 1 [(emit) = true];
  optional string fsType = 2;
  optional bool readOnly = 3;
  optional LocalObjectReference secretRef = 4;
}

message CephFSVolumeSource {
  repeated string monitors = 1;
  optional string path = 2;
  optional string user = 3;
  optional string secretFile = 4;
  optional LocalObjectReference secretRef = 5;
  optional bool readOnly = 6;
}

message SecretReference {
  optional string name = 1;
  optional string namespace = 2;
}

message FlockerVolumeSource {
  optional string datasetName = 1;
  optional string datasetUUID = 2;
}

message GCEPersistentDiskVolumeSource {
  optional string pdName = 1 [(emit) = true];
  optional string fsType = 2;
  optional int32 partition = 3;
  optional bool readOnly = 4;
}

message QuobyteVolumeSource {
  optional string registry = 1 [(emit) = true];
  optional string volume = 2 [(emit) = true];
  optional bool readOnly = 3;
  optional string user = 4;
  optional string group = 5;
  optional string tenant = 6;
}

message FlexVolumeSource {
  optional string driver = 1 [(emit) = true];
  optional string fsType = 2;
  optional LocalObjectReference secretRef = 3;
  optional bool readOnly = 4;
  map<string, string> options = 5;
}

message AWSElasticBlockStoreVolumeSource {
  optional string volumeID = 1 [(emit) = true];
  optional string fsType = 2;
  optional int32 partition = 3;
  optional bool readOnly = 4;
}

message GitRepoVolumeSource {
  optional string repository = 1 [(emit) = true];
  optional string revision = 2;
  optional string directory = 3;
}

message SecretVolumeSource {
  optional string secretName = 1;
  repeated KeyToPath items = 2;
  optional int32 defaultMode = 3 [(emit) = true];
  optional bool optional = 4 [(emit) = true];
}

message SecretProjection {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional bool optional = 4 [(emit) = true];
}

message NFSVolumeSource {
  optional string server = 1 [(emit) = true];
  optional string path = 2 [(emit) = true];
  optional bool readOnly = 3;
}

message ISCSIVolumeSource {
  optional string targetPortal = 1 [(emit) = true];
  optional string iqn = 2 [(emit) = true];
  optional int32 lun = 3 [(emit) = true];
  optional string iscsiInterface = 4;
  optional string fsType = 5;
  optional bool readOnly = 6;
  repeated string portals = 7;
  optional bool chapAuthDiscovery = 8;
  optional bool chapAuthSession = 11;
  optional LocalObjectReference secretRef = 10;
  optional string initiatorName = 12 [(emit) = true];
}

message FCVolumeSource {
  repeated string targetWWNs = 1;
  optional int32 lun = 2 [(emit) = true];
  optional string fsType = 3;
  optional bool readOnly = 4;
  repeated string wwids = 5;
}

message AzureFileVolumeSource {
  optional string secretName = 1 [(emit) = true];
  optional string shareName = 2 [(emit) = true];
  optional bool readOnly = 3;
}

message VsphereVirtualDiskVolumeSource {
  optional string volumePath = 1 [(emit) = true];
  optional string fsType = 2;
  optional string storagePolicyName = 3;
  optional string storagePolicyID = 4;
}

message PhotonPersistentDiskVolumeSource {
  optional string pdID = 1 [(emit) = true];
  optional string fsType = 2;
}

message AzureDiskVolumeSource {
  optional string diskName = 1 [(emit) = true];
  optional string diskURI = 2 [(emit) = true];
  optional string cachingMode = 3 [(emit) = true];
  optional string fsType = 4 [(emit) = true];
  optional bool readOnly = 5 [(emit) = true];
  optional string kind = 6 [(emit) = true];
}

message PortworxVolumeSource {
  optional string volumeID = 1 [(emit) = true];
  optional string fsType = 2;
  optional bool readOnly = 3;
}

message ScaleIOVolumeSource {
  optional string gateway = 1 [(emit) = true];
  optional string system = 2 [(emit) = true];
  optional LocalObjectReference secretRef = 3;
  optional bool sslEnabled = 4;
  optional string protectionDomain = 5;
  optional string storagePool = 6;
  optional string storageMode = 7;
  optional string volumeName = 8;
  optional string fsType = 9;
  optional bool readOnly = 10;
}

message StorageOSVolumeSource {
  optional string volumeName = 1;
  optional string volumeNamespace = 2;
  optional string fsType = 3;
  optional bool readOnly = 4;
  optional LocalObjectReference secretRef = 5;
}

message ConfigMapVolumeSource {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional int32 defaultMode = 3 [(emit) = true];
  optional bool optional = 4 [(emit) = true];
}

message ConfigMapProjection {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional bool optional = 4 [(emit) = true];
}

message ServiceAccountTokenProjection {
  optional string audience = 1;
  optional int64 expirationSeconds = 2 [(emit) = true];
  optional string path = 3 [(emit) = true];
}

message ClusterTrustBundleProjection {
  optional string name = 1 [(emit) = true];
  optional string signerName = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector labelSelector = 3;
  optional bool optional = 5 [(emit) = true];
  optional string path = 4 [(emit) = true];
}

message PodCertificateProjection {
  optional string signerName = 1;
  optional string keyType = 2;
  optional int32 maxExpirationSeconds = 3 [(emit) = true];
  optional string credentialBundlePath = 4;
  optional string keyPath = 5;
  optional string certificateChainPath = 6;
  map<string, string> userAnnotations = 7;
}

message ProjectedVolumeSource {
  repeated VolumeProjection sources = 1;
  optional int32 defaultMode = 2 [(emit) = true];
}

message VolumeProjection {
  optional SecretProjection secret = 1;
  optional DownwardAPIProjection downwardAPI = 2;
  optional ConfigMapProjection configMap = 3;
  optional ServiceAccountTokenProjection serviceAccountToken = 4;
  optional ClusterTrustBundleProjection clusterTrustBundle = 5;
  optional PodCertificateProjection podCertificate = 6;
}

message KeyToPath {
  optional string key = 1 [(emit) = true];
  optional string path = 2 [(emit) = true];
  optional int32 mode = 3 [(emit) = true];
}

message CSIVolumeSource {
  optional string driver = 1 [(emit) = true];
  optional bool readOnly = 2 [(emit) = true];
  optional string fsType = 3 [(emit) = true];
  map<string, string> volumeAttributes = 4;
  optional LocalObjectReference nodePublishSecretRef = 5;
}

message EphemeralVolumeSource {
  optional PersistentVolumeClaimTemplate volumeClaimTemplate = 1;
}

message PersistentVolumeClaimTemplate {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PersistentVolumeClaimSpec spec = 2;
}

message ContainerPort {
  optional string name = 1;
  optional int32 hostPort = 2;
  optional int32 containerPort = 3 [(emit) = true];
  optional string protocol = 4;
  optional string hostIP = 5;
}

message VolumeMount {
  optional string name = 1 [(emit) = true];
  optional bool readOnly = 2;
  optional string recursiveReadOnly = 7 [(emit) = true];
  optional string mountPath = 3 [(emit) = true];
  optional string subPath = 4;
  optional string mountPropagation = 5 [(emit) = true];
  optional string subPathExpr = 6;
}

message VolumeDevice {
  optional string name = 1 [(emit) = true];
  optional string devicePath = 2 [(emit) = true];
}

message EnvVar {
  optional string name = 1 [(emit) = true];
  optional string value = 2;
  optional EnvVarSource valueFrom = 3;
}

message EnvVarSource {
  optional ObjectFieldSelector fieldRef = 1;
  optional ResourceFieldSelector resourceFieldRef = 2;
  optional ConfigMapKeySelector configMapKeyRef = 3;
  optional SecretKeySelector secretKeyRef = 4;
  optional FileKeySelector fileKeyRef = 5;
}

message FileKeySelector {
  optional string volumeName = 1 [(emit) = true];
  optional string path = 2 [(emit) = true];
  optional string key = 3 [(emit) = true];
  optional bool optional = 4 [(emit) = true];
}

message ObjectFieldSelector {
  optional string apiVersion = 1;
  optional string fieldPath = 2 [(emit) = true];
}

message ResourceFieldSelector {
  optional string containerName = 1;
  optional string resource = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.api.resource.Quantity divisor = 3;
}

message ConfigMapKeySelector {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional string key = 2 [(emit) = true];
  optional bool optional = 3 [(emit) = true];
}

message SecretKeySelector {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional string key = 2 [(emit) = true];
  optional bool optional = 3 [(emit) = true];
}

message EnvFromSource {
  optional string prefix = 1;
  optional ConfigMapEnvSource configMapRef = 2;
  optional SecretEnvSource secretRef = 3;
}

message ConfigMapEnvSource {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional bool optional = 2 [(emit) = true];
}

message SecretEnvSource {
  optional LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional bool optional = 2 [(emit) = true];
}

message HTTPHeader {
  optional string name = 1 [(emit) = true];
  optional string value = 2 [(emit) = true];
}

message HTTPGetAction {
  optional string path = 1;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString port = 2;
  optional string host = 3;
  optional string scheme = 4;
  repeated HTTPHeader httpHeaders = 5;
}

message TCPSocketAction {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString port = 1;
  optional string host = 2;
}

message GRPCAction {
  optional int32 port = 1 [(emit) = true];
  optional string service = 2 [(emit) = true];
}

message ExecAction {
  repeated string command = 1;
}

message SleepAction {
  optional int64 seconds = 1 [(emit) = true];
}

message Probe {
  optional ProbeHandler handler = 1 [(inline) = true];
  optional int32 initialDelaySeconds = 2;
  optional int32 timeoutSeconds = 3;
  optional int32 periodSeconds = 4;
  optional int32 successThreshold = 5;
  optional int32 failureThreshold = 6;
  optional int64 terminationGracePeriodSeconds = 7 [(emit) = true];
}

message ContainerResizePolicy {
  optional string resourceName = 1 [(emit) = true];
  optional string restartPolicy = 2 [(emit) = true];
}

message Capabilities {
  repeated string add = 1;
  repeated string drop = 2;
}

message ResourceRequirements {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 1;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> requests = 2;
  repeated ResourceClaim claims = 3;
}

message VolumeResourceRequirements {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 1;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> requests = 2;
}

message ResourceClaim {
  optional string name = 1 [(emit) = true];
  optional string request = 2;
}

message Container {
  optional string name = 1 [(emit) = true];
  optional string image = 2;
  repeated string command = 3;
  repeated string args = 4;
  optional string workingDir = 5;
  repeated ContainerPort ports = 6;
  repeated EnvFromSource envFrom = 19;
  repeated EnvVar env = 7;
  optional ResourceRequirements resources = 8;
  repeated ContainerResizePolicy resizePolicy = 23;
  optional string restartPolicy = 24 [(emit) = true];
  repeated ContainerRestartRule restartPolicyRules = 25;
  repeated VolumeMount volumeMounts = 9;
  repeated VolumeDevice volumeDevices = 21;
  optional Probe livenessProbe = 10;
  optional Probe readinessProbe = 11;
  optional Probe startupProbe = 22;
  optional Lifecycle lifecycle = 12;
  optional string terminationMessagePath = 13;
  optional string terminationMessagePolicy = 20;
  optional string imagePullPolicy = 14;
  optional SecurityContext securityContext = 15;
  optional bool stdin = 16;
  optional bool stdinOnce = 17;
  optional bool tty = 18;
}

message ProbeHandler {
  optional ExecAction exec = 1;
  optional HTTPGetAction httpGet = 2;
  optional TCPSocketAction tcpSocket = 3;
  optional GRPCAction grpc = 4;
}

message LifecycleHandler {
  optional ExecAction exec = 1;
  optional HTTPGetAction httpGet = 2;
  optional TCPSocketAction tcpSocket = 3;
  optional SleepAction sleep = 4;
}

message Lifecycle {
  optional LifecycleHandler postStart = 1;
  optional LifecycleHandler preStop = 2;
  optional string stopSignal = 3 [(emit) = true];
}

message ContainerStateWaiting {
  optional string reason = 1;
  optional string message = 2;
}

message ContainerStateRunning {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time startedAt = 1;
}

message ContainerStateTerminated {
  optional int32 exitCode = 1 [(emit) = true];
  optional int32 signal = 2;
  optional string reason = 3;
  optional string message = 4;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time startedAt = 5;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time finishedAt = 6;
  optional string containerID = 7;
}

message ContainerState {
  optional ContainerStateWaiting waiting = 1;
  optional ContainerStateRunning running = 2;
  optional ContainerStateTerminated terminated = 3;
}

message ContainerStatus {
  optional string name = 1 [(emit) = true];
  optional ContainerState state = 2;
  optional ContainerState lastState = 3;
  optional bool ready = 4 [(emit) = true];
  optional int32 restartCount = 5 [(emit) = true];
  optional string image = 6 [(emit) = true];
  optional string imageID = 7 [(emit) = true];
  optional string containerID = 8;
  optional bool started = 9 [(emit) = true];
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> allocatedResources = 10;
  optional ResourceRequirements resources = 11;
  repeated VolumeMountStatus volumeMounts = 12;
  optional ContainerUser user = 13;
  repeated ResourceStatus allocatedResourcesStatus = 14;
  optional string stopSignal = 15 [(emit) = true];
}

message ResourceStatus {
  optional string name = 1 [(emit) = true];
  repeated ResourceHealth resources = 2;
}

message ResourceHealth {
  optional string resourceID = 1 [(emit) = true];
  optional string health = 2;
  optional string message = 6 [(emit) = true];
}

message ContainerUser {
  optional LinuxContainerUser linux = 1;
}

message LinuxContainerUser {
  optional int64 uid = 1 [(emit) = true];
  optional int64 gid = 2 [(emit) = true];
  repeated int64 supplementalGroups = 3;
}

message PodCondition {
  optional string type = 1 [(emit) = true];
  optional int64 observedGeneration = 7;
  optional string status = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastProbeTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}

message VolumeMountStatus {
  optional string name = 1 [(emit) = true];
  optional string mountPath = 2 [(emit) = true];
  optional bool readOnly = 3;
  optional string recursiveReadOnly = 4 [(emit) = true];
  optional VolumeStatus volumeStatus = 5 [(inline) = true];
}

message VolumeStatus {
  optional ImageVolumeStatus image = 1;
}

message ImageVolumeStatus {
  optional string imageRef = 1;
}

message ContainerRestartRule {
  optional string action = 1;
  optional ContainerRestartRuleOnExitCodes exitCodes = 2;
}

message ContainerRestartRuleOnExitCodes {
  optional string operator = 1;
  repeated int32 values = 2;
}

message NodeSelector {
  repeated NodeSelectorTerm nodeSelectorTerms = 1;
}

message NodeSelectorTerm {
  repeated NodeSelectorRequirement matchExpressions = 1;
  repeated NodeSelectorRequirement matchFields = 2;
}

message NodeSelectorRequirement {
  optional string key = 1 [(emit) = true];
  optional string operator = 2 [(emit) = true];
  repeated string values = 3;
}

message Affinity {
  optional NodeAffinity nodeAffinity = 1;
  optional PodAffinity podAffinity = 2;
  optional PodAntiAffinity podAntiAffinity = 3;
}

message PodAffinity {
  repeated PodAffinityTerm requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated WeightedPodAffinityTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message PodAntiAffinity {
  repeated PodAffinityTerm requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated WeightedPodAffinityTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message WeightedPodAffinityTerm {
  optional int32 weight = 1 [(emit) = true];
  optional PodAffinityTerm podAffinityTerm = 2;
}

message PodAffinityTerm {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector labelSelector = 1;
  repeated string namespaces = 2;
  optional string topologyKey = 3 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector namespaceSelector = 4;
  repeated string matchLabelKeys = 5;
  repeated string mismatchLabelKeys = 6;
}

message NodeAffinity {
  optional NodeSelector requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated PreferredSchedulingTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message PreferredSchedulingTerm {
  optional int32 weight = 1 [(emit) = true];
  optional NodeSelectorTerm preference = 2;
}

message Taint {
  optional string key = 1 [(emit) = true];
  optional string value = 2;
  optional string effect = 3 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time timeAdded = 4;
}

message Toleration {
  optional string key = 1;
  optional string operator = 2;
  optional string value = 3;
  optional string effect = 4;
  optional int64 tolerationSeconds = 5 [(emit) = true];
}

message PodReadinessGate {
  optional string conditionType = 1 [(emit) = true];
}

message PodSpec {
  repeated Volume volumes = 1;
  repeated Container initContainers = 20;
  repeated Container containers = 2;
  repeated EphemeralContainer ephemeralContainers = 34;
  optional string restartPolicy = 3;
  optional int64 terminationGracePeriodSeconds = 4 [(emit) = true];
  optional int64 activeDeadlineSeconds = 5 [(emit) = true];
  optional string dnsPolicy = 6;
  map<string, string> nodeSelector = 7;
  optional string serviceAccountName = 8;
  optional string serviceAccount = 9;
  optional bool automountServiceAccountToken = 21 [(emit) = true];
  optional string nodeName = 10;
  optional bool hostNetwork = 11;
  optional bool hostPID = 12;
  optional bool hostIPC = 13;
  optional bool shareProcessNamespace = 27 [(emit) = true];
  optional PodSecurityContext securityContext = 14;
  repeated LocalObjectReference imagePullSecrets = 15;
  optional string hostname = 16;
  optional string subdomain = 17;
  optional Affinity affinity = 18;
  optional string schedulerName = 19;
  repeated Toleration tolerations = 22;
  repeated HostAlias hostAliases = 23;
  optional string priorityClassName = 24;
  optional int32 priority = 25 [(emit) = true];
  optional PodDNSConfig dnsConfig = 26;
  repeated PodReadinessGate readinessGates = 28;
  optional string runtimeClassName = 29 [(emit) = true];
  optional bool enableServiceLinks = 30 [(emit) = true];
  optional string preemptionPolicy = 31 [(emit) = true];
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> overhead = 32;
  repeated TopologySpreadConstraint topologySpreadConstraints = 33;
  optional bool setHostnameAsFQDN = 35 [(emit) = true];
  optional PodOS os = 36;
  optional bool hostUsers = 37 [(emit) = true];
  repeated PodSchedulingGate schedulingGates = 38;
  repeated PodResourceClaim resourceClaims = 39;
  optional ResourceRequirements resources = 40;
  optional string hostnameOverride = 41 [(emit) = true];
  optional WorkloadReference workloadRef = 42;
}

message PodResourceClaim {
  optional string name = 1 [(emit) = true];
  optional string resourceClaimName = 3 [(emit) = true];
  optional string resourceClaimTemplateName = 4 [(emit) = true];
}

message PodResourceClaimStatus {
  optional string name = 1 [(emit) = true];
  optional string resourceClaimName = 2 [(emit) = true];
}

message PodExtendedResourceClaimStatus {
  repeated ContainerExtendedResourceRequest requestMappings = 1;
  optional string resourceClaimName = 2 [(emit) = true];
}

message ContainerExtendedResourceRequest {
  optional string containerName = 1 [(emit) = true];
  optional string resourceName = 2 [(emit) = true];
  optional string requestName = 3 [(emit) = true];
}

message PodOS {
  optional string name = 1 [(emit) = true];
}

message PodSchedulingGate {
  optional string name = 1 [(emit) = true];
}

message WorkloadReference {
  optional string name = 1 [(emit) = true];
  optional string podGroup = 2 [(emit) = true];
  optional string podGroupReplicaKey = 3;
}

message TopologySpreadConstraint {
  optional int32 maxSkew = 1 [(emit) = true];
  optional string topologyKey = 2 [(emit) = true];
  optional string whenUnsatisfiable = 3 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector labelSelector = 4;
  optional int32 minDomains = 5 [(emit) = true];
  optional string nodeAffinityPolicy = 6 [(emit) = true];
  optional string nodeTaintsPolicy = 7 [(emit) = true];
  repeated string matchLabelKeys = 8;
}

message HostAlias {
  optional string ip = 1 [(emit) = true];
  repeated string hostnames = 2;
}

message PodSecurityContext {
  optional SELinuxOptions seLinuxOptions = 1;
  optional WindowsSecurityContextOptions windowsOptions = 8;
  optional int64 runAsUser = 2 [(emit) = true];
  optional int64 runAsGroup = 6 [(emit) = true];
  optional bool runAsNonRoot = 3 [(emit) = true];
  repeated int64 supplementalGroups = 4;
  optional string supplementalGroupsPolicy = 12 [(emit) = true];
  optional int64 fsGroup = 5 [(emit) = true];
  repeated Sysctl sysctls = 7;
  optional string fsGroupChangePolicy = 9 [(emit) = true];
  optional SeccompProfile seccompProfile = 10;
  optional AppArmorProfile appArmorProfile = 11;
  optional string seLinuxChangePolicy = 13 [(emit) = true];
}

message SeccompProfile {
  optional string type = 1 [(emit) = true];
  optional string localhostProfile = 2 [(emit) = true];
}

message AppArmorProfile {
  optional string type = 1 [(emit) = true];
  optional string localhostProfile = 2 [(emit) = true];
}

message PodDNSConfig {
  repeated string nameservers = 1;
  repeated string searches = 2;
  repeated PodDNSConfigOption options = 3;
}

message PodDNSConfigOption {
  optional string name = 1;
  optional string value = 2 [(emit) = true];
}

message PodIP {
  optional string ip = 1 [(emit) = true];
}

message HostIP {
  optional string ip = 1 [(emit) = true];
}

message EphemeralContainerCommon {
  optional string name = 1 [(emit) = true];
  optional string image = 2;
  repeated string command = 3;
  repeated string args = 4;
  optional string workingDir = 5;
  repeated ContainerPort ports = 6;
  repeated EnvFromSource envFrom = 19;
  repeated EnvVar env = 7;
  optional ResourceRequirements resources = 8;
  repeated ContainerResizePolicy resizePolicy = 23;
  optional string restartPolicy = 24 [(emit) = true];
  repeated ContainerRestartRule restartPolicyRules = 25;
  repeated VolumeMount volumeMounts = 9;
  repeated VolumeDevice volumeDevices = 21;
  optional Probe livenessProbe = 10;
  optional Probe readinessProbe = 11;
  optional Probe startupProbe = 22;
  optional Lifecycle lifecycle = 12;
  optional string terminationMessagePath = 13;
  optional string terminationMessagePolicy = 20;
  optional string imagePullPolicy = 14;
  optional SecurityContext securityContext = 15;
  optional bool stdin = 16;
  optional bool stdinOnce = 17;
  optional bool tty = 18;
}

message EphemeralContainer {
  optional EphemeralContainerCommon ephemeralContainerCommon = 1 [(inline) = true];
  optional string targetContainerName = 2;
}

message PodStatus {
  optional int64 observedGeneration = 17;
  optional string phase = 1;
  repeated PodCondition conditions = 2;
  optional string message = 3;
  optional string reason = 4;
  optional string nominatedNodeName = 11;
  optional string hostIP = 5;
  repeated HostIP hostIPs = 16;
  optional string podIP = 6;
  repeated PodIP podIPs = 12;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time startTime = 7;
  repeated ContainerStatus initContainerStatuses = 10;
  repeated ContainerStatus containerStatuses = 8;
  optional string qosClass = 9;
  repeated ContainerStatus ephemeralContainerStatuses = 13;
  optional string resize = 14;
  repeated PodResourceClaimStatus resourceClaimStatuses = 15;
  optional PodExtendedResourceClaimStatus extendedResourceClaimStatus = 18;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> allocatedResources = 19;
  optional ResourceRequirements resources = 20;
}

message Pod {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
  optional PodStatus status = 3;
}

message PodTemplateSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodSpec spec = 2;
}

message SessionAffinityConfig {
  optional ClientIPConfig clientIP = 1;
}

message ClientIPConfig {
  optional int32 timeoutSeconds = 1 [(emit) = true];
}

message ServiceStatus {
  optional LoadBalancerStatus loadBalancer = 1;
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.Condition conditions = 2;
}

message LoadBalancerStatus {
  repeated LoadBalancerIngress ingress = 1;
}

message LoadBalancerIngress {
  optional string ip = 1;
  optional string hostname = 2;
  optional string ipMode = 3 [(emit) = true];
  repeated PortStatus ports = 4;
}

message ServiceSpec {
  repeated ServicePort ports = 1;
  map<string, string> selector = 2;
  optional string clusterIP = 3;
  repeated string clusterIPs = 18;
  optional string type = 4;
  repeated string externalIPs = 5;
  optional string sessionAffinity = 7;
  optional string loadBalancerIP = 8;
  repeated string loadBalancerSourceRanges = 9;
  optional string externalName = 10;
  optional string externalTrafficPolicy = 11;
  optional int32 healthCheckNodePort = 12;
  optional bool publishNotReadyAddresses = 13;
  optional SessionAffinityConfig sessionAffinityConfig = 14;
  repeated string ipFamilies = 19;
  optional string ipFamilyPolicy = 17 [(emit) = true];
  optional bool allocateLoadBalancerNodePorts = 20 [(emit) = true];
  optional string loadBalancerClass = 21 [(emit) = true];
  optional string internalTrafficPolicy = 22 [(emit) = true];
  optional string trafficDistribution = 23 [(emit) = true];
}

message ServicePort {
  optional string name = 1;
  optional string protocol = 2;
  optional string appProtocol = 6 [(emit) = true];
  optional int32 port = 3 [(emit) = true];
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString targetPort = 4;
  optional int32 nodePort = 5;
}

message Service {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ServiceSpec spec = 2;
  optional ServiceStatus status = 3;
}

message ServiceAccount {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated ObjectReference secrets = 2;
  repeated LocalObjectReference imagePullSecrets = 3;
  optional bool automountServiceAccountToken = 4 [(emit) = true];
}

message Endpoints {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated EndpointSubset subsets = 2;
}

message EndpointSubset {
  repeated EndpointAddress addresses = 1;
  repeated EndpointAddress notReadyAddresses = 2;
  repeated EndpointPort ports = 3;
}

message EndpointAddress {
  optional string ip = 1 [(emit) = true];
  optional string hostname = 3;
  optional string nodeName = 4 [(emit) = true];
  optional ObjectReference targetRef = 2;
}

message EndpointPort {
  optional string name = 1;
  optional int32 port = 2 [(emit) = true];
  optional string protocol = 3;
  optional string appProtocol = 4 [(emit) = true];
}

message NodeSpec {
  optional string podCIDR = 1;
  repeated string podCIDRs = 7;
  optional string providerID = 3;
  optional bool unschedulable = 4;
  repeated Taint taints = 5;
  optional NodeConfigSource configSource = 6;
  optional string externalID = 2;
}

message NodeConfigSource {
  optional ConfigMapNodeConfigSource configMap = 2;
}

message ConfigMapNodeConfigSource {
  optional string namespace = 1 [(emit) = true];
  optional string name = 2 [(emit) = true];
  optional string uid = 3;
  optional string resourceVersion = 4;
  optional string kubeletConfigKey = 5 [(emit) = true];
}

message DaemonEndpoint {
  optional int32 Port = 1 [(emit) = true];
}

message NodeDaemonEndpoints {
  optional DaemonEndpoint kubeletEndpoint = 1;
}

message NodeRuntimeHandlerFeatures {
  optional bool recursiveReadOnlyMounts = 1 [(emit) = true];
  optional bool userNamespaces = 2 [(emit) = true];
}

message NodeRuntimeHandler {
  optional string name = 1 [(emit) = true];
  optional NodeRuntimeHandlerFeatures features = 2;
}

message NodeFeatures {
  optional bool supplementalGroupsPolicy = 1 [(emit) = true];
  optional bool containerUlimits = 2 [(emit) = true];
}

message NodeSystemInfo {
  optional string machineID = 1 [(emit) = true];
  optional string systemUUID = 2 [(emit) = true];
  optional string bootID = 3 [(emit) = true];
  optional string kernelVersion = 4 [(emit) = true];
  optional string osImage = 5 [(emit) = true];
  optional string containerRuntimeVersion = 6 [(emit) = true];
  optional string kubeletVersion = 7 [(emit) = true];
  optional string kubeProxyVersion = 8 [(emit) = true];
  optional string operatingSystem = 9 [(emit) = true];
  optional string architecture = 10 [(emit) = true];
  optional NodeSwapStatus swap = 11;
}

message NodeSwapStatus {
  optional int64 capacity = 1 [(emit) = true];
}

message NodeConfigStatus {
  optional NodeConfigSource assigned = 1;
  optional NodeConfigSource active = 2;
  optional NodeConfigSource lastKnownGood = 3;
  optional string error = 4;
}

message NodeStatus {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> capacity = 1;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> allocatable = 2;
  optional string phase = 3;
  repeated NodeCondition conditions = 4;
  repeated NodeAddress addresses = 5;
  optional NodeDaemonEndpoints daemonEndpoints = 6;
  optional NodeSystemInfo nodeInfo = 7;
  repeated ContainerImage images = 8;
  repeated string volumesInUse = 9;
  repeated AttachedVolume volumesAttached = 10;
  optional NodeConfigStatus config = 11;
  repeated NodeRuntimeHandler runtimeHandlers = 12;
  optional NodeFeatures features = 13;
  repeated string declaredFeatures = 14;
}

message AttachedVolume {
  optional string name = 1 [(emit) = true];
  optional string devicePath = 2 [(emit) = true];
}

message ContainerImage {
  repeated string names = 1;
  optional int64 sizeBytes = 2;
}

message NodeCondition {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastHeartbeatTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}

message NodeAddress {
  optional string type = 1 [(emit) = true];
  optional string address = 2 [(emit) = true];
}

message Node {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional NodeSpec spec = 2;
  optional NodeStatus status = 3;
}

message NamespaceSpec {
  repeated string finalizers = 1;
}

message NamespaceStatus {
  optional string phase = 1;
  repeated NamespaceCondition conditions = 2;
}

message NamespaceCondition {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}

message Namespace {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional NamespaceSpec spec = 2;
  optional NamespaceStatus status = 3;
}

message Binding {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ObjectReference target = 2;
}

message ObjectReference {
  optional string kind = 1;
  optional string namespace = 2;
  optional string name = 3;
  optional string uid = 4;
  optional string apiVersion = 5;
  optional string resourceVersion = 6;
  optional string fieldPath = 7;
}

message LocalObjectReference {
  optional string name = 1;
}

message TypedLocalObjectReference {
  optional string apiGroup = 1 [(emit) = true];
  optional string kind = 2 [(emit) = true];
  optional string name = 3 [(emit) = true];
}

message EventSource {
  optional string component = 1;
  optional string host = 2;
}

message Event {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ObjectReference involvedObject = 2;
  optional string reason = 3;
  optional string message = 4;
  optional EventSource source = 5;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time firstTimestamp = 6;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTimestamp = 7;
  optional int32 count = 8;
  optional string type = 9;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 10;
  optional EventSeries series = 11;
  optional string action = 12;
  optional ObjectReference related = 13;
  optional string reportingComponent = 14 [(emit) = true];
  optional string reportingInstance = 15 [(emit) = true];
}

message EventSeries {
  optional int32 count = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2;
}

message ResourceQuotaSpec {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> hard = 1;
  repeated string scopes = 2;
  optional ScopeSelector scopeSelector = 3;
}

message ScopeSelector {
  repeated ScopedResourceSelectorRequirement matchExpressions = 1;
}

message ScopedResourceSelectorRequirement {
  optional string scopeName = 1 [(emit) = true];
  optional string operator = 2 [(emit) = true];
  repeated string values = 3;
}

message ResourceQuotaStatus {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> hard = 1;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> used = 2;
}

message ResourceQuota {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ResourceQuotaSpec spec = 2;
  optional ResourceQuotaStatus status = 3;
}

message Secret {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional bool immutable = 5 [(emit) = true];
  map<string, bytes> data = 2;
  map<string, string> stringData = 4;
  optional string type = 3;
}

message ConfigMap {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional bool immutable = 4 [(emit) = true];
  map<string, string> data = 2;
  map<string, bytes> binaryData = 3;
}

message DownwardAPIVolumeSource {
  repeated DownwardAPIVolumeFile items = 1;
  optional int32 defaultMode = 2 [(emit) = true];
}

message DownwardAPIVolumeFile {
  optional string path = 1 [(emit) = true];
  optional ObjectFieldSelector fieldRef = 2;
  optional ResourceFieldSelector resourceFieldRef = 3;
  optional int32 mode = 4 [(emit) = true];
}

message DownwardAPIProjection {
  repeated DownwardAPIVolumeFile items = 1;
}

message SecurityContext {
  optional Capabilities capabilities = 1;
  optional bool privileged = 2 [(emit) = true];
  optional SELinuxOptions seLinuxOptions = 3;
  optional WindowsSecurityContextOptions windowsOptions = 10;
  optional int64 runAsUser = 4 [(emit) = true];
  optional int64 runAsGroup = 8 [(emit) = true];
  optional bool runAsNonRoot = 5 [(emit) = true];
  optional bool readOnlyRootFilesystem = 6 [(emit) = true];
  optional bool allowPrivilegeEscalation = 7 [(emit) = true];
  optional string procMount = 9 [(emit) = true];
  optional SeccompProfile seccompProfile = 11;
  optional AppArmorProfile appArmorProfile = 12;
  repeated Ulimit ulimits = 13;
}

message Ulimit {
  optional string name = 1 [(emit) = true];
  optional int64 hard = 2 [(emit) = true];
  optional int64 soft = 3 [(emit) = true];
}

message SELinuxOptions {
  optional string user = 1;
  optional string role = 2;
  optional string type = 3;
  optional string level = 4;
}

message WindowsSecurityContextOptions {
  optional string gmsaCredentialSpecName = 1 [(emit) = true];
  optional string gmsaCredentialSpec = 2 [(emit) = true];
  optional string runAsUserName = 3 [(emit) = true];
  optional bool hostProcess = 4 [(emit) = true];
}

message Sysctl {
  optional string name = 1 [(emit) = true];
  optional string value = 2 [(emit) = true];
}

message PortStatus {
  optional int32 port = 1 [(emit) = true];
  optional string protocol = 2 [(emit) = true];
  optional string error = 3 [(emit) = true];
}

message ImageVolumeSource {
  optional string reference = 1;
  optional string pullPolicy = 2;
}
`,
  },
  {
    package: 'k8s.io.api.apps.v1',
    upstream: 'k8s.io/api/apps/v1/generated.proto',
    source: `
message Deployment {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional DeploymentSpec spec = 2;
  optional DeploymentStatus status = 3;
}

message DeploymentSpec {
  optional int32 replicas = 1 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 3;
  optional DeploymentStrategy strategy = 4;
  optional int32 minReadySeconds = 5;
  optional int32 revisionHistoryLimit = 6 [(emit) = true];
  optional bool paused = 7;
  optional int32 progressDeadlineSeconds = 9 [(emit) = true];
}

message DeploymentStrategy {
  optional string type = 1;
  optional RollingUpdateDeployment rollingUpdate = 2;
}

message RollingUpdateDeployment {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 1;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxSurge = 2;
}

message DeploymentStatus {
  optional int64 observedGeneration = 1;
  optional int32 replicas = 2;
  optional int32 updatedReplicas = 3;
  optional int32 readyReplicas = 7;
  optional int32 availableReplicas = 4;
  optional int32 unavailableReplicas = 5;
  optional int32 terminatingReplicas = 9 [(emit) = true];
  repeated DeploymentCondition conditions = 6;
  optional int32 collisionCount = 8 [(emit) = true];
}

message DeploymentCondition {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastUpdateTime = 6;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 7;
  optional string reason = 4;
  optional string message = 5;
}

message ReplicaSet {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ReplicaSetSpec spec = 2;
  optional ReplicaSetStatus status = 3;
}

message ReplicaSetSpec {
  optional int32 replicas = 1 [(emit) = true];
  optional int32 minReadySeconds = 4;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 3;
}

message ReplicaSetStatus {
  optional int32 replicas = 1 [(emit) = true];
  optional int32 fullyLabeledReplicas = 2;
  optional int32 readyReplicas = 4;
  optional int32 availableReplicas = 5;
  optional int32 terminatingReplicas = 7 [(emit) = true];
  optional int64 observedGeneration = 3;
  repeated ReplicaSetCondition conditions = 6;
}

message ReplicaSetCondition {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3;
  optional string reason = 4;
  optional string message = 5;
}
`,
  },
  {
    package: 'k8s.io.api.coordination.v1',
    upstream: 'k8s.io/api/coordination/v1/generated.proto',
    source: `
message Lease {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional LeaseSpec spec = 2;
}

message LeaseSpec {
  optional string holderIdentity = 1 [(emit) = true];
  optional int32 leaseDurationSeconds = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime acquireTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime renewTime = 4;
  optional int32 leaseTransitions = 5 [(emit) = true];
  optional string strategy = 6 [(emit) = true];
  optional string preferredHolder = 7 [(emit) = true];
}
`,
  },
  {
    package: 'k8s.io.api.rbac.v1',
    upstream: 'k8s.io/api/rbac/v1/generated.proto',
    source: `
message PolicyRule {
  repeated string verbs = 1;
  repeated string apiGroups = 2;
  repeated string resources = 3;
  repeated string resourceNames = 4;
  repeated string nonResourceURLs = 5;
}

message Subject {
  optional string kind = 1 [(emit) = true];
  optional string apiGroup = 2;
  optional string name = 3 [(emit) = true];
  optional string namespace = 4;
}

message RoleRef {
  optional string apiGroup = 1 [(emit) = true];
  optional string kind = 2 [(emit) = true];
  optional string name = 3 [(emit) = true];
}

message Role {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated PolicyRule rules = 2;
}

message RoleBinding {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated Subject subjects = 2;
  optional RoleRef roleRef = 3;
}

message ClusterRole {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated PolicyRule rules = 2;
  optional AggregationRule aggregationRule = 3;
}

message AggregationRule {
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector clusterRoleSelectors = 1;
}

message ClusterRoleBinding {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  repeated Subject subjects = 2;
  optional RoleRef roleRef = 3;
}
`,
  },
  {
    package: 'k8s.io.api.authorization.v1',
    upstream: 'k8s.io/api/authorization/v1/generated.proto',
    source: `
message SelfSubjectAccessReview {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional SelfSubjectAccessReviewSpec spec = 2;
  optional SubjectAccessReviewStatus status = 3;
}

message SelfSubjectAccessReviewSpec {
  optional ResourceAttributes resourceAttributes = 1;
  optional NonResourceAttributes nonResourceAttributes = 2;
}

message ResourceAttributes {
  optional string namespace = 1;
  optional string verb = 2;
  optional string group = 3;
  optional string version = 4;
  optional string resource = 5;
  optional string subresource = 6;
  optional string name = 7;
  optional FieldSelectorAttributes fieldSelector = 8;
  optional LabelSelectorAttributes labelSelector = 9;
}

message LabelSelectorAttributes {
  optional string rawSelector = 1;
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement requirements = 2;
}

message FieldSelectorAttributes {
  optional string rawSelector = 1;
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement requirements = 2;
}

message NonResourceAttributes {
  optional string path = 1;
  optional string verb = 2;
}

message SubjectAccessReviewStatus {
  optional bool allowed = 1 [(emit) = true];
  optional bool denied = 4;
  optional string reason = 2;
  optional string evaluationError = 3;
}
`,
  },
  {
    package: 'k8s.io.api.authentication.v1',
    upstream: 'k8s.io/api/authentication/v1/generated.proto',
    source: `
message TokenRequest {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional TokenRequestSpec spec = 2;
  optional TokenRequestStatus status = 3;
}

message TokenRequestSpec {
  repeated string audiences = 1;
  optional int64 expirationSeconds = 4 [(emit) = true];
  optional BoundObjectReference boundObjectRef = 3;
}

message BoundObjectReference {
  optional string kind = 1;
  optional string apiVersion = 2;
  optional string name = 3;
  optional string uID = 4 [(json) = "uid"];
}

message TokenRequestStatus {
  optional string token = 1 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time expirationTimestamp = 2;
}
`,
  },
  {
    package: 'k8s.io.api.policy.v1',
    upstream: 'k8s.io/api/policy/v1/generated.proto',
    source: `
message Eviction {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions deleteOptions = 2;
}

message PodDisruptionBudget {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional PodDisruptionBudgetSpec spec = 2;
  optional PodDisruptionBudgetStatus status = 3;
}

message PodDisruptionBudgetSpec {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString minAvailable = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 3;
  optional string unhealthyPodEvictionPolicy = 4;
}

message PodDisruptionBudgetStatus {
  optional int64 observedGeneration = 1;
  map<string, k8s.io.apimachinery.pkg.apis.meta.v1.Time> disruptedPods = 2;
  optional int32 disruptionsAllowed = 3 [(emit) = true];
  optional int32 currentHealthy = 4 [(emit) = true];
  optional int32 desiredHealthy = 5 [(emit) = true];
  optional int32 expectedPods = 6 [(emit) = true];
  repeated k8s.io.apimachinery.pkg.apis.meta.v1.Condition conditions = 7;
}
`,
  },
  {
    package: 'k8s.io.api.autoscaling.v1',
    upstream: 'k8s.io/api/autoscaling/v1/generated.proto',
    source: `
message Scale {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional ScaleSpec spec = 2;
  optional ScaleStatus status = 3;
}

message ScaleSpec {
  optional int32 replicas = 1;
}

message ScaleStatus {
  optional int32 replicas = 1 [(emit) = true];
  optional string selector = 2;
}

message CrossVersionObjectReference {
  optional string kind = 1 [(emit) = true];
  optional string name = 2 [(emit) = true];
  optional string apiVersion = 3;
}

message HorizontalPodAutoscaler {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional HorizontalPodAutoscalerSpec spec = 2;
  optional HorizontalPodAutoscalerStatus status = 3;
}

message HorizontalPodAutoscalerSpec {
  optional CrossVersionObjectReference scaleTargetRef = 1;
  optional int32 minReplicas = 2 [(emit) = true];
  optional int32 maxReplicas = 3 [(emit) = true];
  optional int32 targetCPUUtilizationPercentage = 4 [(emit) = true];
}

message HorizontalPodAutoscalerStatus {
  optional int64 observedGeneration = 1 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastScaleTime = 2;
  optional int32 currentReplicas = 3 [(emit) = true];
  optional int32 desiredReplicas = 4 [(emit) = true];
  optional int32 currentCPUUtilizationPercentage = 5 [(emit) = true];
}
`,
  },
  {
    package: 'k8s.io.api.batch.v1',
    upstream: 'k8s.io/api/batch/v1/generated.proto',
    source: `
message Job {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional JobSpec spec = 2;
  optional JobStatus status = 3;
}

message JobSpec {
  optional int32 parallelism = 1 [(emit) = true];
  optional int32 completions = 2 [(emit) = true];
  optional int64 activeDeadlineSeconds = 3 [(emit) = true];
  optional PodFailurePolicy podFailurePolicy = 11;
  optional SuccessPolicy successPolicy = 16;
  optional int32 backoffLimit = 7 [(emit) = true];
  optional int32 backoffLimitPerIndex = 12 [(emit) = true];
  optional int32 maxFailedIndexes = 13 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 4;
  optional bool manualSelector = 5 [(emit) = true];
  optional k8s.io.api.core.v1.PodTemplateSpec template = 6;
  optional int32 ttlSecondsAfterFinished = 8 [(emit) = true];
  optional string completionMode = 9 [(emit) = true];
  optional bool suspend = 10 [(emit) = true];
  optional string podReplacementPolicy = 14 [(emit) = true];
  optional string managedBy = 15 [(emit) = true];
}

message JobStatus {
  repeated JobCondition conditions = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time startTime = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time completionTime = 3;
  optional int32 active = 4;
  optional int32 succeeded = 5;
  optional int32 failed = 6;
  optional int32 terminating = 11 [(emit) = true];
  optional string completedIndexes = 7;
  optional string failedIndexes = 10 [(emit) = true];
  optional UncountedTerminatedPods uncountedTerminatedPods = 8;
  optional int32 ready = 9 [(emit) = true];
}

message JobCondition {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastProbeTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4;
  optional string reason = 5;
  optional string message = 6;
}

message PodFailurePolicy {
  repeated PodFailurePolicyRule rules = 1;
}

message PodFailurePolicyRule {
  optional string action = 1 [(emit) = true];
  optional PodFailurePolicyOnExitCodesRequirement onExitCodes = 2;
  repeated PodFailurePolicyOnPodConditionsPattern onPodConditions = 3;
}

message PodFailurePolicyOnExitCodesRequirement {
  optional string containerName = 1 [(emit) = true];
  optional string operator = 2 [(emit) = true];
  repeated int32 values = 3;
}

message PodFailurePolicyOnPodConditionsPattern {
  optional string type = 1 [(emit) = true];
  optional string status = 2 [(emit) = true];
}

message SuccessPolicy {
  repeated SuccessPolicyRule rules = 1;
}

message SuccessPolicyRule {
  optional string succeededIndexes = 1 [(emit) = true];
  optional int32 succeededCount = 2 [(emit) = true];
}

message UncountedTerminatedPods {
  repeated string succeeded = 1;
  repeated string failed = 2;
}

message CronJob {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional CronJobSpec spec = 2;
  optional CronJobStatus status = 3;
}

message CronJobSpec {
  optional string schedule = 1 [(emit) = true];
  optional string timeZone = 8 [(emit) = true];
  optional int64 startingDeadlineSeconds = 2 [(emit) = true];
  optional string concurrencyPolicy = 3;
  optional bool suspend = 4 [(emit) = true];
  optional JobTemplateSpec jobTemplate = 5;
  optional int32 successfulJobsHistoryLimit = 6 [(emit) = true];
  optional int32 failedJobsHistoryLimit = 7 [(emit) = true];
}

message CronJobStatus {
  repeated k8s.io.api.core.v1.ObjectReference active = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastScheduleTime = 4;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastSuccessfulTime = 5;
}

message JobTemplateSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional JobSpec spec = 2;
}
`,
  },
];
