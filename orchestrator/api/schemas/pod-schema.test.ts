import { expect } from 'chai';
import { causesOf, container, expectCause, expectValid, pod } from './support.test.js';

const realisticPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'api-7d9f8c6b5-x2k4q',
    namespace: 'shop',
    labels: { app: 'api', 'app.kubernetes.io/version': '2.4.1' },
    annotations: { 'prometheus.io/scrape': 'true' },
  },
  spec: {
    serviceAccountName: 'api',
    automountServiceAccountToken: false,
    priorityClassName: 'high',
    enableServiceLinks: false,
    hostname: 'api-0',
    subdomain: 'api',
    dnsPolicy: 'ClusterFirst',
    dnsConfig: { options: [{ name: 'ndots', value: '2' }] },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      fsGroup: 2000,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    imagePullSecrets: [{ name: 'registry' }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }],
            },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { app: 'api' } },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    },
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'api', effect: 'NoSchedule' },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 60,
      },
    ],
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { app: 'api' } },
      },
    ],
    terminationGracePeriodSeconds: 45,
    volumes: [
      { name: 'config', configMap: { name: 'api-config', items: [{ key: 'app.yaml', path: 'app.yaml' }] } },
      { name: 'tls', secret: { secretName: 'api-tls', defaultMode: 0o400 } },
      { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'data', emptyDir: {} },
    ],
    initContainers: [
      {
        name: 'migrate',
        image: 'registry.example.com/shop/api:2.4.1',
        command: ['/app/migrate'],
        args: ['--wait'],
      },
    ],
    containers: [
      {
        name: 'api',
        image: 'registry.example.com/shop/api:2.4.1',
        imagePullPolicy: 'IfNotPresent',
        workingDir: '/app',
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
          { name: 'metrics', containerPort: 9090 },
        ],
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        ],
        envFrom: [
          { configMapRef: { name: 'api-env' } },
          { prefix: 'S_', secretRef: { name: 'api-secrets', optional: true } },
        ],
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: 1, memory: '512Mi' } },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/api', readOnly: true },
          { name: 'tls', mountPath: '/etc/tls', readOnly: true },
          { name: 'cache', mountPath: '/tmp/cache' },
          { name: 'data', mountPath: '/var/lib/api', subPath: 'api' },
        ],
        livenessProbe: {
          httpGet: { path: '/healthz', port: 'http' },
          initialDelaySeconds: 10,
          periodSeconds: 15,
          failureThreshold: 5,
        },
        readinessProbe: {
          httpGet: {
            path: '/ready',
            port: 8080,
            scheme: 'HTTP',
            httpHeaders: [{ name: 'X-Probe', value: '1' }],
          },
          successThreshold: 2,
        },
        startupProbe: { tcpSocket: { port: 8080 }, failureThreshold: 30, periodSeconds: 2 },
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 5'] } } },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        terminationMessagePolicy: 'FallbackToLogsOnError',
      },
      {
        name: 'sidecar',
        image: 'envoyproxy/envoy:v1.31.0',
        args: ['-c', '/etc/envoy.yaml'],
        stdin: false,
        tty: false,
      },
    ],
  },
};

describe('Pod schema', () => {
  it('admits a full realistic manifest under Strict', () => {
    const admitted = expectValid(realisticPod, 'Pod');
    expect(admitted).to.deep.equal(realisticPod);
  });

  it('admits the status a kubelet writes', () => {
    expectValid(
      {
        ...pod(),
        status: {
          phase: 'Running',
          podIP: '10.244.1.5',
          podIPs: [{ ip: '10.244.1.5' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            {
              name: 'web',
              ready: true,
              restartCount: 0,
              image: 'nginx',
              imageID: '',
              state: { running: {} },
            },
          ],
        },
      },
      'Pod',
    );
  });

  describe('containers', () => {
    it('must not be empty', () => {
      expectCause(pod({ containers: [] }), 'Pod', 'spec.containers', 'Required value');
    });

    it('are required even when spec is missing', () => {
      expectCause(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
        'Pod',
        'spec.containers',
        'Required value',
      );
    });

    it('have unique names across init and regular containers', () => {
      expectValid(pod({ initContainers: [container({ name: 'init' })] }), 'Pod');
      expectCause(
        pod({ containers: [container(), container()] }),
        'Pod',
        'spec.containers[1].name',
        'Duplicate value: "web"',
      );
      expectCause(
        pod({ initContainers: [container()] }),
        'Pod',
        'spec.containers[0].name',
        'Duplicate value: "web"',
      );
    });

    it('have DNS-1123 label names', () => {
      expectCause(
        pod({ containers: [container({ name: 'Web.1' })] }),
        'Pod',
        'spec.containers[0].name',
        'a lowercase RFC 1123 label',
      );
    });

    it('require an image', () => {
      expectCause(
        pod({ containers: [container({ image: '' })] }),
        'Pod',
        'spec.containers[0].image',
        'Required value',
      );
      expectCause(
        pod({ containers: [{ name: 'web' }] }),
        'Pod',
        'spec.containers[0].image',
        'Required value',
      );
    });

    it('accept only the known pull and termination-message policies', () => {
      expectValid(
        pod({ containers: [container({ imagePullPolicy: 'Never', terminationMessagePolicy: 'File' })] }),
        'Pod',
      );
      expectCause(
        pod({ containers: [container({ imagePullPolicy: 'Sometimes' })] }),
        'Pod',
        'spec.containers[0].imagePullPolicy',
        'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      );
    });

    it('may not set restartPolicy unless they are init containers', () => {
      expectValid(pod({ initContainers: [container({ name: 'proxy', restartPolicy: 'Always' })] }), 'Pod');
      expectCause(
        pod({ containers: [container({ restartPolicy: 'Always' })] }),
        'Pod',
        'spec.containers[0].restartPolicy',
        'Forbidden',
      );
    });

    it('have environment variable names Kubernetes accepts', () => {
      expectCause(
        pod({ containers: [container({ env: [{ name: '1X', value: 'a' }] })] }),
        'Pod',
        'spec.containers[0].env[0].name',
        'a valid environment variable name',
      );
    });

    it('mount only volumes the pod declares', () => {
      const mounted = container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] });
      expectValid(pod({ volumes: [{ name: 'data', emptyDir: {} }], containers: [mounted] }), 'Pod');
      expectCause(
        pod({ containers: [mounted] }),
        'Pod',
        'spec.containers[0].volumeMounts[0].name',
        'Not found: "data"',
      );
    });
  });

  describe('container ports', () => {
    const withPorts = (ports: object[]) => pod({ containers: [container({ ports })] });

    it('are between 1 and 65535', () => {
      expectValid(withPorts([{ containerPort: 1 }, { containerPort: 65535 }]), 'Pod');
      expectCause(
        withPorts([{ containerPort: 70000 }]),
        'Pod',
        'spec.containers[0].ports[0].containerPort',
        'Invalid value: 70000: must be between 1 and 65535, inclusive',
      );
      expectCause(
        withPorts([{ containerPort: 0 }]),
        'Pod',
        'spec.containers[0].ports[0].containerPort',
        'Required value',
      );
    });

    it('are unique per container and protocol', () => {
      expectValid(
        withPorts([
          { containerPort: 53, protocol: 'TCP' },
          { containerPort: 53, protocol: 'UDP' },
        ]),
        'Pod',
      );
      expectCause(
        withPorts([{ containerPort: 80 }, { containerPort: 80 }]),
        'Pod',
        'spec.containers[0].ports[1].containerPort',
        'Duplicate value: 80',
      );
    });

    it('may repeat in different containers', () => {
      const p = pod({
        containers: [
          container({ ports: [{ containerPort: 80 }] }),
          container({ name: 'b', ports: [{ containerPort: 80 }] }),
        ],
      });
      expectValid(p, 'Pod');
    });

    it('have unique IANA names and a known protocol', () => {
      expectCause(
        withPorts([{ name: 'HTTP', containerPort: 80 }]),
        'Pod',
        'spec.containers[0].ports[0].name',
        'must contain only alpha-numeric characters',
      );
      expectCause(
        withPorts([
          { name: 'http', containerPort: 80 },
          { name: 'http', containerPort: 81 },
        ]),
        'Pod',
        'spec.containers[0].ports[1].name',
        'Duplicate value: "http"',
      );
      expectCause(
        withPorts([{ containerPort: 80, protocol: 'HTTP' }]),
        'Pod',
        'spec.containers[0].ports[0].protocol',
        'supported values: "SCTP", "TCP", "UDP"',
      );
    });
  });

  describe('probes', () => {
    const probed = (which: string, probe: object) => pod({ containers: [container({ [which]: probe })] });

    it('need exactly one handler', () => {
      expectValid(probed('livenessProbe', { exec: { command: ['true'] } }), 'Pod');
      expectCause(
        probed('livenessProbe', { periodSeconds: 5 }),
        'Pod',
        'spec.containers[0].livenessProbe',
        'Required value: must specify a handler type',
      );
      expectCause(
        probed('livenessProbe', { exec: { command: ['true'] }, tcpSocket: { port: 80 } }),
        'Pod',
        'spec.containers[0].livenessProbe.tcpSocket',
        'may not specify more than 1 handler type',
      );
    });

    it('check ports, schemes and timings', () => {
      expectCause(
        probed('readinessProbe', { httpGet: { port: 0 } }),
        'Pod',
        'spec.containers[0].readinessProbe.httpGet.port',
        'must be between 1 and 65535',
      );
      expectCause(
        probed('readinessProbe', { httpGet: { port: 80, scheme: 'FTP' } }),
        'Pod',
        'spec.containers[0].readinessProbe.httpGet.scheme',
        'supported values: "HTTP", "HTTPS"',
      );
      expectCause(
        probed('readinessProbe', { tcpSocket: { port: 80 }, periodSeconds: -1 }),
        'Pod',
        'spec.containers[0].readinessProbe.periodSeconds',
        'must be greater than or equal to 0',
      );
    });

    it('allow successThreshold above 1 only for readiness', () => {
      expectValid(probed('readinessProbe', { tcpSocket: { port: 80 }, successThreshold: 3 }), 'Pod');
      expectCause(
        probed('livenessProbe', { tcpSocket: { port: 80 }, successThreshold: 3 }),
        'Pod',
        'spec.containers[0].livenessProbe.successThreshold',
        'must be 1',
      );
    });
  });

  describe('resources', () => {
    const limited = (resources: object) => pod({ containers: [container({ resources })] });

    it('accept requests up to the limits', () => {
      expectValid(
        limited({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } }),
        'Pod',
      );
    });

    it('reject requests above the limits and negative amounts', () => {
      expectCause(
        limited({ requests: { cpu: '2' }, limits: { cpu: '1' } }),
        'Pod',
        'spec.containers[0].resources.requests[cpu]',
        'must be less than or equal to cpu limit of 1',
      );
      expectCause(
        limited({ requests: { memory: '-1Gi' } }),
        'Pod',
        'spec.containers[0].resources.requests[memory]',
        'must be greater than or equal to 0',
      );
    });
  });

  describe('pod-level fields', () => {
    it('restartPolicy is Always, OnFailure or Never', () => {
      expectValid(pod({ restartPolicy: 'OnFailure' }), 'Pod');
      expectCause(
        pod({ restartPolicy: 'Sometimes' }),
        'Pod',
        'spec.restartPolicy',
        'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      );
    });

    it('dnsPolicy is a known policy and None needs dnsConfig', () => {
      expectValid(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }), 'Pod');
      expectCause(pod({ dnsPolicy: 'Custom' }), 'Pod', 'spec.dnsPolicy', 'Unsupported value: "Custom"');
      expectCause(pod({ dnsPolicy: 'None' }), 'Pod', 'spec.dnsConfig', 'Required value');
    });

    it('terminationGracePeriodSeconds is not negative and activeDeadlineSeconds is positive', () => {
      expectValid(pod({ terminationGracePeriodSeconds: 0, activeDeadlineSeconds: 60 }), 'Pod');
      expectCause(
        pod({ terminationGracePeriodSeconds: -1 }),
        'Pod',
        'spec.terminationGracePeriodSeconds',
        'must be greater than or equal to 0',
      );
      expectCause(
        pod({ activeDeadlineSeconds: 0 }),
        'Pod',
        'spec.activeDeadlineSeconds',
        'must be between 1 and 2147483647, inclusive',
      );
    });

    it('nodeSelector holds valid labels and nodeName is a DNS subdomain', () => {
      expectValid(pod({ nodeSelector: { disk: 'ssd' }, nodeName: 'node-1.example' }), 'Pod');
      expectCause(
        pod({ nodeSelector: { disk: 'fast ssd' } }),
        'Pod',
        'spec.nodeSelector',
        'a valid label must be',
      );
      expectCause(pod({ nodeName: 'Node_1' }), 'Pod', 'spec.nodeName', 'a lowercase RFC 1123 subdomain');
    });

    it('volumes have unique DNS-1123 label names', () => {
      expectCause(
        pod({
          volumes: [
            { name: 'a', emptyDir: {} },
            { name: 'a', emptyDir: {} },
          ],
        }),
        'Pod',
        'spec.volumes[1].name',
        'Duplicate value: "a"',
      );
      expectCause(
        pod({ volumes: [{ name: 'A', emptyDir: {} }] }),
        'Pod',
        'spec.volumes[0].name',
        'a lowercase RFC 1123 label',
      );
    });
  });

  describe('tolerations', () => {
    it('accept Equal with a value and Exists without one', () => {
      expectValid(
        pod({
          tolerations: [
            { key: 'a', operator: 'Equal', value: 'b', effect: 'NoSchedule' },
            { operator: 'Exists' },
          ],
        }),
        'Pod',
      );
    });

    it('reject an unknown operator or effect', () => {
      expectCause(
        pod({ tolerations: [{ key: 'a', operator: 'Maybe' }] }),
        'Pod',
        'spec.tolerations[0].operator',
        'supported values: "Equal", "Exists"',
      );
      expectCause(
        pod({ tolerations: [{ key: 'a', effect: 'NoRun' }] }),
        'Pod',
        'spec.tolerations[0].effect',
        'Unsupported value: "NoRun"',
      );
    });

    it('reject a value with Exists, an empty key without Exists and seconds without NoExecute', () => {
      expectCause(
        pod({ tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] }),
        'Pod',
        'spec.tolerations[0].operator',
        "value must be empty when `operator` is 'Exists'",
      );
      expectCause(
        pod({ tolerations: [{ operator: 'Equal', value: 'b' }] }),
        'Pod',
        'spec.tolerations[0].operator',
        'operator must be Exists when `key` is empty',
      );
      expectCause(
        pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }),
        'Pod',
        'spec.tolerations[0].effect',
        "effect must be 'NoExecute'",
      );
    });
  });

  describe('node affinity', () => {
    const required = (expr: object) => ({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] },
      },
    });

    it('accepts Gt with a single value', () => {
      expectValid(pod({ affinity: required({ key: 'cores', operator: 'Gt', values: ['4'] }) }), 'Pod');
    });

    it('rejects In without values and an unknown operator', () => {
      const at =
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]';
      expectCause(
        pod({ affinity: required({ key: 'zone', operator: 'In' }) }),
        'Pod',
        `${at}.values`,
        "must be specified when `operator` is 'In' or 'NotIn'",
      );
      expectCause(
        pod({ affinity: required({ key: 'zone', operator: 'Near' }) }),
        'Pod',
        `${at}.operator`,
        'not a valid selector operator',
      );
    });

    it('rejects a preference weight outside 1-100', () => {
      const affinity = {
        nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }] },
      };
      expectCause(
        pod({ affinity }),
        'Pod',
        'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight',
        'must be in the range 1-100',
      );
    });
  });

  it('knows the well-known PodSpec fields crucible ignores', () => {
    const fields = {
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
      setHostnameAsFQDN: false,
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      readinessGates: [{ conditionType: 'example.com/ready' }],
      runtimeClassName: 'runc',
      overhead: { cpu: '10m' },
      os: { name: 'linux' },
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }],
      schedulingGates: [{ name: 'example.com/wait' }],
      resourceClaims: [{ name: 'gpu' }],
      ephemeralContainers: [{ name: 'debug', image: 'busybox' }],
      schedulerName: 'default-scheduler',
    };
    expect(causesOf(pod(fields), 'Pod')).to.deep.equal([]);
  });

  it('knows the well-known Container fields crucible ignores', () => {
    const c = container({
      resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
      terminationMessagePath: '/dev/termination-log',
      stdinOnce: true,
    });
    expect(causesOf(pod({ containers: [c] }), 'Pod')).to.deep.equal([]);
  });
});
