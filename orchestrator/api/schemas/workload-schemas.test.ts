import { expect } from 'chai';
import { causesOf, container, deployment, expectCause, expectValid } from './support.test.js';

const realisticDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'checkout',
    namespace: 'shop',
    labels: { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/part-of': 'shop' },
    annotations: { 'deployment.kubernetes.io/revision': '3', 'kubernetes.io/change-cause': 'bump to 1.8.2' },
  },
  spec: {
    replicas: 3,
    revisionHistoryLimit: 5,
    progressDeadlineSeconds: 300,
    minReadySeconds: 5,
    selector: {
      matchLabels: { 'app.kubernetes.io/name': 'checkout' },
      matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary'] }],
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } },
    template: {
      metadata: {
        creationTimestamp: null,
        labels: { 'app.kubernetes.io/name': 'checkout', track: 'stable' },
        annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' },
      },
      spec: {
        serviceAccountName: 'checkout',
        securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
        terminationGracePeriodSeconds: 60,
        volumes: [
          { name: 'config', configMap: { name: 'checkout-config' } },
          { name: 'tmp', emptyDir: {} },
        ],
        containers: [
          {
            name: 'checkout',
            image: 'ghcr.io/example/checkout:1.8.2',
            args: ['--port=8080'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/live', port: 'http' }, initialDelaySeconds: 15 },
            volumeMounts: [
              { name: 'config', mountPath: '/etc/checkout', readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'checkout' } },
                topologyKey: 'kubernetes.io/hostname',
              },
            ],
          },
        },
      },
    },
  },
  status: {
    observedGeneration: 3,
    replicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    updatedReplicas: 3,
    conditions: [],
  },
};

describe('Deployment schema', () => {
  it('admits a full realistic manifest under Strict', () => {
    const admitted = expectValid(realisticDeployment, 'Deployment');
    expect(admitted.spec).to.deep.include({ replicas: 3 });
  });

  it('replicas must not be negative', () => {
    expectValid(deployment({ replicas: 0 }), 'Deployment');
    expectCause(
      deployment({ replicas: -1 }),
      'Deployment',
      'spec.replicas',
      'Invalid value: -1: must be greater than or equal to 0',
    );
  });

  describe('selector', () => {
    it('is required', () => {
      expectCause(deployment({ selector: undefined }), 'Deployment', 'spec.selector', 'Required value');
      expectCause({ ...deployment(), spec: undefined }, 'Deployment', 'spec.selector', 'Required value');
    });

    it('may not be empty', () => {
      expectCause(
        deployment({ selector: {} }),
        'Deployment',
        'spec.selector',
        'empty selector is invalid for deployment',
      );
    });

    it('must match the template labels', () => {
      const selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] };
      expectValid(deployment({ selector }), 'Deployment');
      expectCause(
        deployment({ selector: { matchLabels: { app: 'other' } } }),
        'Deployment',
        'spec.template.metadata.labels',
        'Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      );
    });

    it('has valid operators and values', () => {
      const selector = {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'Near', values: ['a'] }],
      };
      expectCause(
        deployment({ selector }),
        'Deployment',
        'spec.selector.matchExpressions[0].operator',
        'not a valid selector operator',
      );
      const noValues = {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: [] }],
      };
      expectCause(
        deployment({ selector: noValues }),
        'Deployment',
        'spec.selector.matchExpressions[0].values',
        'Required value',
      );
    });
  });

  describe('template', () => {
    it('is required', () => {
      expectCause(deployment({ template: undefined }), 'Deployment', 'spec.template', 'Required value');
    });

    it('is checked as a pod spec', () => {
      expectCause(
        deployment({}, { containers: [container({ image: '' })] }),
        'Deployment',
        'spec.template.spec.containers[0].image',
        'Required value',
      );
      expectCause(
        deployment({}, { containers: [] }),
        'Deployment',
        'spec.template.spec.containers',
        'Required value',
      );
    });

    it('only allows restartPolicy Always', () => {
      expectValid(deployment({}, { restartPolicy: 'Always' }), 'Deployment');
      expectCause(
        deployment({}, { restartPolicy: 'Never' }),
        'Deployment',
        'spec.template.spec.restartPolicy',
        'Unsupported value: "Never": supported values: "Always"',
      );
    });

    it('reports an unknown restartPolicy once', () => {
      const causes = causesOf(deployment({}, { restartPolicy: 'Sometimes' }), 'Deployment');
      expect(causes.filter((c) => c.field === 'spec.template.spec.restartPolicy')).to.have.length(1);
    });
  });

  describe('strategy', () => {
    it('type is RollingUpdate or Recreate', () => {
      expectValid(deployment({ strategy: { type: 'Recreate' } }), 'Deployment');
      expectCause(
        deployment({ strategy: { type: 'BlueGreen' } }),
        'Deployment',
        'spec.strategy.type',
        'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"',
      );
    });

    it('Recreate may not have rollingUpdate', () => {
      expectCause(
        deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
        'Deployment',
        'spec.strategy.rollingUpdate',
        "Forbidden: may not be specified when strategy `type` is 'Recreate'",
      );
    });

    it('maxSurge and maxUnavailable may not both be 0', () => {
      expectValid(
        deployment({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }),
        'Deployment',
      );
      expectValid(deployment({ strategy: { rollingUpdate: { maxSurge: 0 } } }), 'Deployment');
      expectCause(
        deployment({
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
        }),
        'Deployment',
        'spec.strategy.rollingUpdate.maxUnavailable',
        'may not be 0 when `maxSurge` is 0',
      );
    });

    it('takes non-negative integers or percentages, maxUnavailable at most 100%', () => {
      expectCause(
        deployment({ strategy: { rollingUpdate: { maxSurge: -1 } } }),
        'Deployment',
        'spec.strategy.rollingUpdate.maxSurge',
        'must be greater than or equal to 0',
      );
      expectCause(
        deployment({ strategy: { rollingUpdate: { maxSurge: 'half' } } }),
        'Deployment',
        'spec.strategy.rollingUpdate.maxSurge',
        "a valid percent string must be a numeric string followed by an ending '%'",
      );
      expectCause(
        deployment({ strategy: { rollingUpdate: { maxUnavailable: '150%' } } }),
        'Deployment',
        'spec.strategy.rollingUpdate.maxUnavailable',
        'must not be greater than 100%',
      );
      expectCause(
        deployment({ strategy: { rollingUpdate: { maxSurge: true } } }),
        'Deployment',
        'spec.strategy.rollingUpdate.maxSurge',
        'must be of type integer or string',
      );
    });
  });

  it('progressDeadlineSeconds must exceed minReadySeconds', () => {
    expectValid(deployment({ minReadySeconds: 10, progressDeadlineSeconds: 11 }), 'Deployment');
    expectCause(
      deployment({ minReadySeconds: 10, progressDeadlineSeconds: 10 }),
      'Deployment',
      'spec.progressDeadlineSeconds',
      'must be greater than minReadySeconds',
    );
  });

  it('revisionHistoryLimit must not be negative', () => {
    expectCause(
      deployment({ revisionHistoryLimit: -1 }),
      'Deployment',
      'spec.revisionHistoryLimit',
      'must be greater than or equal to 0',
    );
  });
});

describe('ReplicaSet schema', () => {
  const rs = (spec: object = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d8f', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } },
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': '5d8f' } },
        spec: { containers: [container()] },
      },
      ...spec,
    },
  });

  it('admits a ReplicaSet as a deployment controller writes it', () => {
    expectValid(rs(), 'ReplicaSet');
  });

  it('replicas must not be negative', () => {
    expectCause(rs({ replicas: -2 }), 'ReplicaSet', 'spec.replicas', 'must be greater than or equal to 0');
  });

  it('selector is required and must match the template labels', () => {
    expectCause(rs({ selector: undefined }), 'ReplicaSet', 'spec.selector', 'Required value');
    expectCause(
      rs({ selector: { matchLabels: { app: 'db' } } }),
      'ReplicaSet',
      'spec.template.metadata.labels',
      '`selector` does not match template `labels`',
    );
  });

  it('does not know Deployment-only fields', () => {
    expectCause(
      rs({ strategy: { type: 'Recreate' } }),
      'ReplicaSet',
      'spec.strategy',
      'unknown field "spec.strategy"',
    );
  });
});
