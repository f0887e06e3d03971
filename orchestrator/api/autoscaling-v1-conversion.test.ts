import { expect } from 'chai';
import { horizontalPodAutoscalerFromV1, horizontalPodAutoscalerToV1 } from './autoscaling-v1-conversion.js';
import type { HorizontalPodAutoscaler } from './types.js';

const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('autoscaling/v1 HorizontalPodAutoscaler conversion', () => {
  it('reads what `kubectl autoscale --cpu-percent=50` sends as a v2 cpu Utilization metric', () => {
    const v2 = horizontalPodAutoscalerFromV1({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
    });
    expect(v2).to.deep.equal({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef,
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });
  });

  it('shows a v2 HPA to a v1 client with the rest in annotations, and gets it all back', () => {
    const v2: HorizontalPodAutoscaler = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default', annotations: { team: 'a' } },
      spec: {
        scaleTargetRef,
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
          },
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [] } },
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 4,
        lastScaleTime: '2026-03-04T10:00:00Z',
        currentMetrics: [
          { type: 'Resource', resource: { name: 'memory', current: { averageValue: '90Mi' } } },
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } },
          },
        ],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' }],
      },
    };
    const v1 = horizontalPodAutoscalerToV1(v2);
    expect(v1.apiVersion).to.equal('autoscaling/v1');
    expect(v1.spec).to.deep.equal({
      scaleTargetRef,
      minReplicas: 2,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 60,
    });
    expect(v1.status).to.deep.equal({
      lastScaleTime: '2026-03-04T10:00:00Z',
      currentReplicas: 3,
      desiredReplicas: 4,
      currentCPUUtilizationPercentage: 75,
    });
    expect(JSON.parse(v1.metadata.annotations!['autoscaling.alpha.kubernetes.io/metrics']!)).to.deep.equal([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
    ]);
    expect(v1.metadata.annotations!.team).to.equal('a');

    const back = horizontalPodAutoscalerFromV1(v1);
    expect(back.metadata.annotations).to.deep.equal({ team: 'a' });
    expect(back.spec.behavior).to.deep.equal(v2.spec.behavior);
    expect(back.spec.metrics).to.have.deep.members(v2.spec.metrics!);
    expect(back.status).to.deep.equal(v2.status);
  });
});
