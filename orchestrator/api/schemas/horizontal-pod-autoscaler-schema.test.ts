import { expect } from 'chai';
import { defaultObject } from './default-object.js';
import { expectCause, expectValid } from './support.test.js';

const hpa = (spec: object = {}) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    maxReplicas: 5,
    ...spec,
  },
});

const cpuAt = (target: object) => [{ type: 'Resource', resource: { name: 'cpu', target } }];

type Stored = { spec: Record<string, unknown> };

describe('HorizontalPodAutoscaler schema', () => {
  it('admits an HPA and defaults minReplicas 1 and cpu at 80% of requests, leaving behavior unset', () => {
    const stored = defaultObject(expectValid(hpa(), 'HorizontalPodAutoscaler')) as unknown as Stored;
    expect(stored.spec.minReplicas).to.equal(1);
    expect(stored.spec.metrics).to.deep.equal(cpuAt({ type: 'Utilization', averageUtilization: 80 }));
    expect(stored.spec).not.to.have.property('behavior');
  });

  it('fills a given behavior with upstream default rules, keeping what was set', () => {
    const stored = defaultObject(
      expectValid(
        hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }),
        'HorizontalPodAutoscaler',
      ),
    ) as unknown as Stored;
    expect(stored.spec.behavior).to.deep.equal({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  it('admits utilization and average-value targets of cpu and memory', () => {
    expectValid(
      hpa({ metrics: cpuAt({ type: 'AverageValue', averageValue: '250m' }) }),
      'HorizontalPodAutoscaler',
    );
    expectValid(
      hpa({
        minReplicas: 2,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 60 } },
          },
        ],
      }),
      'HorizontalPodAutoscaler',
    );
  });

  it('refuses a scale target without kind or name and bad replica bounds, naming the field', () => {
    expectCause(
      hpa({ scaleTargetRef: { name: 'web' } }),
      'HorizontalPodAutoscaler',
      'spec.scaleTargetRef.kind',
      'Required value',
    );
    expectCause(
      hpa({ scaleTargetRef: { kind: 'Deployment' } }),
      'HorizontalPodAutoscaler',
      'spec.scaleTargetRef.name',
      'Required value',
    );
    expectCause(
      hpa({ minReplicas: 0 }),
      'HorizontalPodAutoscaler',
      'spec.minReplicas',
      'must be greater than or equal to 1',
    );
    expectCause(
      hpa({ maxReplicas: 0 }),
      'HorizontalPodAutoscaler',
      'spec.maxReplicas',
      'must be greater than 0',
    );
    expectCause(
      hpa({ minReplicas: 6 }),
      'HorizontalPodAutoscaler',
      'spec.maxReplicas',
      'must be greater than or equal to `minReplicas`',
    );
    expectCause(
      hpa({ maxReplicas: undefined }),
      'HorizontalPodAutoscaler',
      'spec.maxReplicas',
      'Required value',
    );
  });

  it('refuses bad resource targets', () => {
    expectCause(
      hpa({ metrics: cpuAt({ type: 'Utilization', averageUtilization: 0 }) }),
      'HorizontalPodAutoscaler',
      'spec.metrics[0].resource.target.averageUtilization',
      'must be greater than 0',
    );
    expectCause(
      hpa({ metrics: cpuAt({ type: 'Utilization' }) }),
      'HorizontalPodAutoscaler',
      'spec.metrics[0].resource.target.averageUtilization',
      'must set either a target raw value or a target utilization',
    );
    expectCause(
      hpa({ metrics: cpuAt({ type: 'AverageValue', averageValue: '0' }) }),
      'HorizontalPodAutoscaler',
      'spec.metrics[0].resource.target.averageValue',
      'must be positive',
    );
    expectCause(
      hpa({ metrics: cpuAt({ type: 'Ratio', averageUtilization: 50 }) }),
      'HorizontalPodAutoscaler',
      'spec.metrics[0].resource.target.type',
      'must be either Utilization, Value, or AverageValue',
    );
    expectCause(
      hpa({
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'gpu', target: { type: 'Utilization', averageUtilization: 5 } },
          },
        ],
      }),
      'HorizontalPodAutoscaler',
      'spec.metrics[0].resource.name',
      'supported values: "cpu", "memory"',
    );
  });

  it('refuses the metric sources crucible does not serve, saying so, instead of ignoring them', () => {
    for (const type of ['Pods', 'Object', 'External', 'ContainerResource'])
      expectCause(
        hpa({ metrics: [{ type, [type.charAt(0).toLowerCase() + type.slice(1)]: {} }] }),
        'HorizontalPodAutoscaler',
        'spec.metrics[0].type',
        `crucible does not serve ${type} metrics`,
      );
    expectCause(
      hpa({ metrics: [{ type: 'Custom' }] }),
      'HorizontalPodAutoscaler',
      'spec.metrics[0].type',
      'must be either Object, Pods, Resource, ContainerResource, or External',
    );
  });

  it('validates behavior policies as upstream', () => {
    const behavior = (scaleUp: object) => hpa({ behavior: { scaleUp } });
    const at = 'spec.behavior.scaleUp';
    expectCause(
      behavior({ stabilizationWindowSeconds: -1 }),
      'HorizontalPodAutoscaler',
      `${at}.stabilizationWindowSeconds`,
      'must be greater than or equal to zero',
    );
    expectCause(
      behavior({ stabilizationWindowSeconds: 3601 }),
      'HorizontalPodAutoscaler',
      `${at}.stabilizationWindowSeconds`,
      'must be less than or equal to 3600',
    );
    expectCause(
      behavior({ selectPolicy: 'Sometimes' }),
      'HorizontalPodAutoscaler',
      `${at}.selectPolicy`,
      'Unsupported value',
    );
    expectCause(
      behavior({ policies: [] }),
      'HorizontalPodAutoscaler',
      `${at}.policies`,
      'must specify at least one Policy',
    );
    const policy = (p: object) =>
      behavior({ policies: [{ type: 'Pods', value: 1, periodSeconds: 15, ...p }] });
    expectCause(
      policy({ type: 'Nodes' }),
      'HorizontalPodAutoscaler',
      `${at}.policies[0].type`,
      'Unsupported value',
    );
    expectCause(
      policy({ value: 0 }),
      'HorizontalPodAutoscaler',
      `${at}.policies[0].value`,
      'must be greater than zero',
    );
    expectCause(
      policy({ periodSeconds: 0 }),
      'HorizontalPodAutoscaler',
      `${at}.policies[0].periodSeconds`,
      'must be greater than zero',
    );
    expectCause(
      policy({ periodSeconds: 1801 }),
      'HorizontalPodAutoscaler',
      `${at}.policies[0].periodSeconds`,
      'must be less than or equal to 1800',
    );
    expectValid(hpa({ behavior: { scaleDown: { selectPolicy: 'Disabled' } } }), 'HorizontalPodAutoscaler');
  });
});
