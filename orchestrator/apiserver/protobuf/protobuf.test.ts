import { expect } from 'chai';
import protobuf from 'protobufjs';
import { ApiError } from '../../api/errors.js';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufObject, encodeProtobufObject } from './index.js';
import { SCHEMA_ROOT, UNKNOWN_TYPE } from './schema.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Bodies captured from kubectl 1.32.4 (`--dry-run=server`), byte for byte.
const KUBECTL_CREATE_NAMESPACE_SHOP =
  '6b 38 73 00 0a 0f 0a 02 76 31 12 09 4e 61 6d 65 73 70 61 63 65 12 1c 0a 14 0a 04 73 68 6f 70 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 00 1a 02 0a 00 1a 00 22 00';
const KUBECTL_CREATE_DEPLOYMENT_WEB =
  '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c0010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562128e010803120c0a0a0a0361707012037765621a740a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125412360a046563686f120d6372756369626c652f6563686f2a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200';
const KUBECTL_CREATE_SERVICE_NODEPORT =
  '6b3873000a0d0a02763112075365727669636512620a1b0a017312001a0022002a003200380042005a080a03617070120173123f0a1b0a0738302d38303830120354435018502207080010903f1a00280012080a036170701201731a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200';
const KUBECTL_AUTH_CAN_I_CREATE_PODS =
  '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123f0a100a0012001a0022002a0032003800420012210a1f0a0764656661756c7412066372656174651a0022002a04706f647332003a001a08080012001a0020001a002200';

function expectApiError(fn: () => unknown, reason: string, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ApiError);
    expect((e as ApiError).reason).to.equal(reason);
    expect((e as ApiError).message).to.match(message);
    return;
  }
  expect.fail('expected an ApiError');
}

function roundTrip(obj: Record<string, unknown>): Record<string, unknown> {
  return decodeProtobufObject(encodeProtobufObject(obj));
}

/** Encodes `fields` as raw inside an envelope, bypassing our encoder, to mimic what Go writes. */
function envelope(
  apiVersion: string,
  kind: string,
  typeName: string,
  fields: Record<string, unknown>,
): Buffer {
  const type = SCHEMA_ROOT.lookupType(typeName);
  const raw = type.encode(type.fromObject(fields)).finish();
  const body = UNKNOWN_TYPE.encode({ typeMeta: { apiVersion, kind }, raw }).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), body]);
}

describe('Kubernetes protobuf bodies', () => {
  it('names the Kubernetes protobuf media type', () => {
    expect(PROTOBUF_MEDIA_TYPE).to.equal('application/vnd.kubernetes.protobuf');
  });

  describe('decoding what kubectl 1.32 sends', () => {
    it('decodes `kubectl create namespace shop` to the JSON Go would render, zero values left out', () => {
      expect(decodeProtobufObject(hex(KUBECTL_CREATE_NAMESPACE_SHOP))).to.deep.equal({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop' },
        spec: {},
        status: {},
      });
    });

    it('decodes `kubectl create deployment` with its pod template, keeping present-but-empty structs', () => {
      expect(decodeProtobufObject(hex(KUBECTL_CREATE_DEPLOYMENT_WEB))).to.deep.equal({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                { name: 'echo', image: 'crucible/echo', ports: [{ containerPort: 8080 }], resources: {} },
              ],
            },
          },
          strategy: {},
        },
        status: {},
      });
    });

    it('decodes `kubectl create service nodeport` with an integer targetPort', () => {
      expect(decodeProtobufObject(hex(KUBECTL_CREATE_SERVICE_NODEPORT))).to.deep.equal({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's', labels: { app: 's' } },
        spec: {
          ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
          selector: { app: 's' },
          type: 'NodePort',
        },
        status: { loadBalancer: {} },
      });
    });

    it('decodes `kubectl auth can-i create pods`, rendering allowed:false because Go has no omitempty on it', () => {
      expect(decodeProtobufObject(hex(KUBECTL_AUTH_CAN_I_CREATE_PODS))).to.deep.equal({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: {},
        spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
        status: { allowed: false },
      });
    });
  });

  describe('Go JSON rendering rules', () => {
    it('keeps zero values of pointer fields (replicas: 0) and drops zero values of omitempty fields', () => {
      const body = envelope('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
        metadata: { name: 'idle', namespace: '', generation: 0, uid: '' },
        spec: { replicas: 0, minReadySeconds: 0, paused: false, revisionHistoryLimit: 0 },
      });
      expect(decodeProtobufObject(body)).to.deep.equal({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'idle' },
        spec: { replicas: 0, revisionHistoryLimit: 0 },
      });
    });

    it('renders zero values of fields whose json tag has no omitempty (containerPort, restartCount, ready)', () => {
      const body = envelope('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
        spec: { containers: [{ name: '', ports: [{ containerPort: 0, hostPort: 0 }] }] },
        status: { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '' }] },
      });
      expect(decodeProtobufObject(body)).to.deep.equal({
        apiVersion: 'v1',
        kind: 'Pod',
        spec: { containers: [{ name: '', ports: [{ containerPort: 0 }] }] },
        status: { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '' }] },
      });
    });

    it('leaves out a zero time, which Go writes as an empty message and renders as null', () => {
      const body = envelope('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', {
        metadata: { name: 'c', creationTimestamp: {} },
      });
      expect(decodeProtobufObject(body)).to.deep.equal({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
      });
    });

    it('renders Time to the second and MicroTime to the microsecond, in UTC', () => {
      const body = envelope('v1', 'Event', 'k8s.io.api.core.v1.Event', {
        firstTimestamp: { seconds: 1767323045, nanos: 999_000_000 },
        eventTime: { seconds: 1767323045, nanos: 123_456_789 },
      });
      const event = decodeProtobufObject(body);
      expect(event.firstTimestamp).to.equal('2026-01-02T03:04:05Z');
      expect(event.eventTime).to.equal('2026-01-02T03:04:05.123456Z');
    });

    it('renders IntOrString as a number or a string by its type, and bytes as base64', () => {
      const body = envelope('v1', 'Service', 'k8s.io.api.core.v1.Service', {
        spec: {
          ports: [
            { port: 80, targetPort: { type: 1, strVal: 'http' } },
            { port: 81, targetPort: { type: 0, intVal: 0 } },
          ],
        },
      });
      expect(decodeProtobufObject(body).spec).to.deep.equal({
        ports: [
          { port: 80, targetPort: 'http' },
          { port: 81, targetPort: 0 },
        ],
      });
    });
  });

  describe('round trip: encode then decode gives the object back', () => {
    it('round-trips a Deployment with probes, resources, env, a rolling-update strategy and status', () => {
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'web',
          namespace: 'shop',
          uid: '6c1f2d3e-0000-4000-8000-000000000001',
          resourceVersion: '42',
          generation: 3,
          creationTimestamp: '2026-01-02T03:04:05Z',
          labels: { app: 'web', tier: 'front' },
          annotations: { 'deployment.kubernetes.io/revision': '2' },
          finalizers: ['example.com/keep'],
          managedFields: [
            {
              manager: 'kubectl-create',
              operation: 'Update',
              apiVersion: 'apps/v1',
              time: '2026-01-02T03:04:05Z',
              fieldsType: 'FieldsV1',
              fieldsV1: { 'f:spec': { 'f:replicas': {} } },
            },
          ],
        },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          template: {
            metadata: { labels: { app: 'web', tier: 'front' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [
                {
                  name: 'echo',
                  image: 'crucible/echo:1.2',
                  args: ['--listen', ':8080'],
                  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                  env: [
                    { name: 'MODE', value: 'one' },
                    { name: 'UNSET' },
                    {
                      name: 'POD',
                      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
                    },
                    {
                      name: 'COLOUR',
                      valueFrom: { configMapKeyRef: { name: 'settings', key: 'colour', optional: false } },
                    },
                  ],
                  envFrom: [{ prefix: 'S_', secretRef: { name: 'creds' } }],
                  resources: {
                    limits: { cpu: '500m', memory: '128Mi' },
                    requests: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '1Gi' },
                  },
                  livenessProbe: {
                    httpGet: {
                      path: '/healthz',
                      port: 'http',
                      scheme: 'HTTP',
                      httpHeaders: [{ name: 'X', value: '1' }],
                    },
                    initialDelaySeconds: 5,
                    periodSeconds: 10,
                    failureThreshold: 3,
                  },
                  readinessProbe: {
                    tcpSocket: { port: 8080 },
                    timeoutSeconds: 1,
                    terminationGracePeriodSeconds: 0,
                  },
                  startupProbe: { exec: { command: ['cat', '/tmp/ready'] } },
                  lifecycle: { preStop: { sleep: { seconds: 5 } } },
                  securityContext: { runAsNonRoot: false, readOnlyRootFilesystem: true, runAsUser: 0 },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/echo', readOnly: true }],
                  imagePullPolicy: 'IfNotPresent',
                },
              ],
              volumes: [
                {
                  name: 'config',
                  configMap: { name: 'settings', defaultMode: 420, items: [{ key: 'a', path: 'a' }] },
                },
                { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
              ],
            },
          },
        },
        status: {
          observedGeneration: 3,
          replicas: 2,
          readyReplicas: 1,
          conditions: [
            {
              type: 'Available',
              status: 'False',
              lastUpdateTime: '2026-01-02T03:04:05Z',
              lastTransitionTime: '2026-01-02T03:04:05Z',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
          ],
        },
      };
      expect(roundTrip(deployment)).to.deep.equal(deployment);
    });

    it('round-trips a Service with named and numbered target ports', () => {
      const service = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          type: 'NodePort',
          selector: { app: 'web' },
          clusterIP: '10.96.0.10',
          clusterIPs: ['10.96.0.10'],
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          ports: [
            { name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' },
            { name: 'admin', port: 9000, targetPort: 9001, appProtocol: 'http' },
          ],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        },
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } },
      };
      expect(roundTrip(service)).to.deep.equal(service);
    });

    it('round-trips a Pod being deleted, with tolerations, affinity and container statuses', () => {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'web-1',
          namespace: 'shop',
          creationTimestamp: '2026-01-02T03:04:05Z',
          deletionTimestamp: '2026-01-02T03:05:05Z',
          deletionGracePeriodSeconds: 0,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'web-abc',
              uid: 'u-1',
              controller: true,
              blockOwnerDeletion: false,
            },
          ],
        },
        spec: {
          nodeName: 'node-a',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          automountServiceAccountToken: false,
          priority: 0,
          enableServiceLinks: true,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [
            {
              key: 'node.kubernetes.io/not-ready',
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 300,
            },
            {
              key: 'node.kubernetes.io/unreachable',
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 0,
            },
            { operator: 'Exists' },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
                ],
              },
            },
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: { app: 'web' } },
                  },
                },
              ],
            },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2 },
          ],
          securityContext: {
            fsGroup: 2000,
            supplementalGroups: [1, 2],
            seccompProfile: { type: 'RuntimeDefault' },
          },
          initContainers: [{ name: 'init', image: 'busybox', command: ['true'], restartPolicy: 'Always' }],
          containers: [
            { name: 'echo', image: 'crucible/echo', readinessProbe: { grpc: { port: 9090, service: '' } } },
          ],
          volumes: [
            {
              name: 'token',
              projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] },
            },
          ],
        },
        status: {
          phase: 'Running',
          hostIP: '192.0.2.10',
          podIP: '10.244.0.7',
          podIPs: [{ ip: '10.244.0.7' }],
          startTime: '2026-01-02T03:04:06Z',
          qosClass: 'BestEffort',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-02T03:04:09Z' }],
          containerStatuses: [
            {
              name: 'echo',
              ready: true,
              restartCount: 0,
              image: 'crucible/echo',
              imageID: '',
              started: true,
              state: { running: { startedAt: '2026-01-02T03:04:08Z' } },
              lastState: {},
            },
          ],
        },
      };
      expect(roundTrip(pod)).to.deep.equal(pod);
    });

    it('round-trips a ConfigMap with binaryData as base64 and an explicit immutable:false', () => {
      const configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'shop' },
        immutable: false,
        data: { colour: 'blue', empty: '' },
        binaryData: { blob: Buffer.from([0, 1, 2, 254, 255]).toString('base64') },
      };
      expect(roundTrip(configMap)).to.deep.equal(configMap);
    });

    it('round-trips RBAC objects', () => {
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'edit-alice', namespace: 'team-a' },
        subjects: [
          { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
          { kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' },
        ],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      };
      const clusterRole = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'reader' },
        rules: [
          { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
          { verbs: ['get'], nonResourceURLs: ['/healthz'] },
        ],
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { aggregate: 'true' } }] },
      };
      expect(roundTrip(binding)).to.deep.equal(binding);
      expect(roundTrip(clusterRole)).to.deep.equal(clusterRole);
    });

    it('round-trips a SelfSubjectAccessReview with its status', () => {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: {},
        spec: {
          resourceAttributes: {
            namespace: 'shop',
            verb: 'list',
            group: 'apps',
            resource: 'deployments',
            labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['web'] }] },
          },
        },
        status: { allowed: true, reason: 'RBAC: allowed by RoleBinding "edit-alice"' },
      };
      expect(roundTrip(review)).to.deep.equal(review);
    });

    it('round-trips a TokenRequest as kubectl create token sends it and as the apiserver answers it', () => {
      const request = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { creationTimestamp: '2025-03-01T12:00:00Z' },
        spec: {
          audiences: ['https://kubernetes.default.svc.cluster.local'],
          expirationSeconds: 600,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'pod-uid' },
        },
        status: { token: 'header.payload.signature', expirationTimestamp: '2025-03-01T12:10:00Z' },
      };
      expect(roundTrip(request)).to.deep.equal(request);
    });

    it('round-trips a Scale, where Go drops spec.replicas 0 but keeps status.replicas 0', () => {
      const scale = {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'web', namespace: 'shop', resourceVersion: '7' },
        spec: { replicas: 5 },
        status: { replicas: 0, selector: 'app=web' },
      };
      expect(roundTrip(scale)).to.deep.equal(scale);
      expect(roundTrip({ ...scale, spec: { replicas: 0 } }).spec).to.deep.equal({});
    });

    it('round-trips DeleteOptions under v1, meta.k8s.io/v1 and the group of the deleted resource', () => {
      for (const apiVersion of ['v1', 'meta.k8s.io/v1', 'apps/v1']) {
        const options = {
          apiVersion,
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid: 'u-1', resourceVersion: '42' },
          propagationPolicy: 'Foreground',
          dryRun: ['All'],
        };
        expect(roundTrip(options)).to.deep.equal(options);
      }
    });

    it('round-trips a Lease with microsecond renew times', () => {
      const lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'node-a', namespace: 'kube-node-lease' },
        spec: {
          holderIdentity: 'node-a',
          leaseDurationSeconds: 40,
          renewTime: '2026-01-02T03:04:05.123456Z',
          acquireTime: '2026-01-02T03:00:00.000000Z',
          leaseTransitions: 0,
        },
      };
      expect(roundTrip(lease)).to.deep.equal(lease);
    });

    it('round-trips a Node, an Event, Endpoints, a ResourceQuota, a ServiceAccount, a Secret and a Binding', () => {
      const objects: Record<string, unknown>[] = [
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } },
          spec: {
            podCIDR: '10.244.0.0/24',
            taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
          },
          status: {
            capacity: { cpu: '4', memory: '8Gi', pods: '110' },
            allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' },
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                lastHeartbeatTime: '2026-01-02T03:04:05Z',
                lastTransitionTime: '2026-01-02T03:00:00Z',
                reason: 'KubeletReady',
              },
            ],
            addresses: [{ type: 'InternalIP', address: '192.0.2.10' }],
            daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
            nodeInfo: {
              machineID: 'm',
              systemUUID: 's',
              bootID: 'b',
              kernelVersion: '6.1',
              osImage: 'Debian',
              containerRuntimeVersion: 'crucible://1',
              kubeletVersion: 'v1.32.0',
              kubeProxyVersion: '',
              operatingSystem: 'linux',
              architecture: 'amd64',
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: 'web-1.abc', namespace: 'shop' },
          involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'u-1', apiVersion: 'v1' },
          reason: 'Scheduled',
          message: 'Successfully assigned shop/web-1 to node-a',
          source: { component: 'default-scheduler' },
          firstTimestamp: '2026-01-02T03:04:05Z',
          lastTimestamp: '2026-01-02T03:04:05Z',
          count: 1,
          type: 'Normal',
          eventTime: '2026-01-02T03:04:05.000001Z',
          series: { count: 2, lastObservedTime: '2026-01-02T03:04:06.500000Z' },
          reportingComponent: 'default-scheduler',
          reportingInstance: '',
        },
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'web', namespace: 'shop' },
          subsets: [
            {
              addresses: [
                { ip: '10.244.0.7', nodeName: 'node-a', targetRef: { kind: 'Pod', name: 'web-1' } },
              ],
              notReadyAddresses: [{ ip: '10.244.0.8' }],
              ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
            },
          ],
        },
        {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'q', namespace: 'shop' },
          spec: { hard: { pods: '10', 'requests.cpu': '2' }, scopes: ['NotTerminating'] },
          status: { hard: { pods: '10' }, used: { pods: '0' } },
        },
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'deployer', namespace: 'shop' },
          automountServiceAccountToken: false,
          imagePullSecrets: [{ name: 'registry' }],
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'creds', namespace: 'shop' },
          type: 'Opaque',
          data: { password: Buffer.from('s3cret').toString('base64') },
        },
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: 'web-1', namespace: 'shop' },
          target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' },
        },
      ];
      for (const obj of objects) expect(roundTrip(obj), String(obj.kind)).to.deep.equal(obj);
    });

    it('writes the same envelope kubectl writes', () => {
      const body = encodeProtobufObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
      expect(body.subarray(0, 4).toString('latin1')).to.equal('k8s\0');
      const env = UNKNOWN_TYPE.toObject(UNKNOWN_TYPE.decode(body.subarray(4)), { defaults: false });
      expect(env.typeMeta).to.deep.equal({ apiVersion: 'v1', kind: 'Namespace' });
      expect(env.contentEncoding).to.equal('');
      expect(env.contentType).to.equal('');
    });
  });

  describe('rejection', () => {
    it('rejects a body without the k8s\\0 magic as BadRequest', () => {
      expectApiError(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')), 'BadRequest', /magic/);
      expectApiError(() => decodeProtobufObject(Buffer.alloc(0)), 'BadRequest', /magic/);
    });

    it('rejects a truncated body as BadRequest', () => {
      const whole = hex(KUBECTL_CREATE_DEPLOYMENT_WEB);
      for (const cut of [6, 20, 40, whole.length - 10]) {
        expectApiError(
          () => decodeProtobufObject(whole.subarray(0, cut)),
          'BadRequest',
          /could not be decoded|no apiVersion/,
        );
      }
    });

    it('rejects garbage after the magic as BadRequest', () => {
      const garbage = Buffer.concat([
        Buffer.from('k8s\0', 'latin1'),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      ]);
      expectApiError(() => decodeProtobufObject(garbage), 'BadRequest', /could not be decoded/);
    });

    it('rejects a kind it has no schema for as UnsupportedMediaType, asking for JSON', () => {
      const body = Buffer.concat([
        Buffer.from('k8s\0', 'latin1'),
        UNKNOWN_TYPE.encode({ typeMeta: { apiVersion: 'v1', kind: 'Foo' }, raw: new Uint8Array() }).finish(),
      ]);
      expectApiError(
        () => decodeProtobufObject(body),
        'UnsupportedMediaType',
        /kind "Foo" in "v1" is not supported; send JSON/,
      );
    });

    it('rejects a compressed envelope as UnsupportedMediaType', () => {
      const body = Buffer.concat([
        Buffer.from('k8s\0', 'latin1'),
        UNKNOWN_TYPE.encode({
          typeMeta: { apiVersion: 'v1', kind: 'Namespace' },
          raw: new Uint8Array(),
          contentEncoding: 'gzip',
        }).finish(),
      ]);
      expectApiError(() => decodeProtobufObject(body), 'UnsupportedMediaType', /gzip/);
    });

    it('refuses to encode a field the schema cannot carry rather than dropping it', () => {
      expectApiError(
        () =>
          encodeProtobufObject({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'c', colour: 'blue' },
          }),
        'BadRequest',
        /ConfigMap\.metadata\.colour is not a field of ObjectMeta/,
      );
      expectApiError(
        () => encodeProtobufObject({ apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: '80' }] } }),
        'BadRequest',
        /ports\[0\]\.port must be an integer/,
      );
    });
  });

  it('carries every message as parseable proto2 with resolvable field types', () => {
    expect(SCHEMA_ROOT.lookupType('k8s.io.api.core.v1.PodSpec')).to.be.instanceOf(protobuf.Type);
    expect(
      SCHEMA_ROOT.lookupType('k8s.io.api.core.v1.PodSpec').fields.containers.resolvedType?.name,
    ).to.equal('Container');
  });
});
