import { expect } from 'chai';
import { findResource } from '../resources.js';
import type { Container, KubeObject, Pod, ResourceQuota, Service } from '../types.js';
import { quotaCovers, quotaEvaluator, quotaUsage } from './quota-evaluator.js';
import { renderResourceList } from './resource-list.js';

const PODS = quotaEvaluator(findResource('', 'v1', 'pods')!)!;
const SERVICES = quotaEvaluator(findResource('', 'v1', 'services')!)!;
const DEPLOYMENTS = quotaEvaluator(findResource('apps', 'v1', 'deployments')!)!;
const CONFIGMAPS = quotaEvaluator(findResource('', 'v1', 'configmaps')!)!;
const now = new Date('2025-01-01T00:00:00Z');

function pod(
  containers: Partial<Container>[],
  extra: Partial<Pod['spec']> = {},
  status?: Pod['status'],
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: containers.map((c, i) => ({ name: `c${i}`, ...c })), ...extra },
    status,
  };
}

function quota(hard: Record<string, string>, spec: Record<string, unknown> = {}): ResourceQuota {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'q', namespace: 'ns' },
    spec: { hard, ...spec },
  };
}

describe('quota evaluators', () => {
  it('does not track events or cluster-scoped resources', () => {
    expect(quotaEvaluator(findResource('', 'v1', 'events')!)).to.equal(undefined);
    expect(quotaEvaluator(findResource('', 'v1', 'nodes')!)).to.equal(undefined);
  });

  it('charges a pod its summed requests and limits, the largest init container competing with the sum', () => {
    const p = pod(
      [
        { resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '500m' } } },
        { resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '1' } } },
      ],
      { initContainers: [{ name: 'init', resources: { requests: { cpu: '2' } } }] },
    );
    expect(renderResourceList(PODS.usage(p, now))).to.deep.equal({
      'count/pods': '1',
      cpu: '2',
      'limits.cpu': '1500m',
      memory: '256Mi',
      pods: '1',
      'requests.cpu': '2',
      'requests.memory': '256Mi',
    });
  });

  it('charges a finished pod, or one terminating past its grace period, only its object count', () => {
    const done = pod([{ resources: { requests: { cpu: '1' } } }], {}, { phase: 'Succeeded' });
    expect(renderResourceList(PODS.usage(done, now))).to.deep.equal({ 'count/pods': '1' });
    const stuck = pod([{ resources: { requests: { cpu: '1' } } }]);
    stuck.metadata = {
      ...stuck.metadata,
      deletionTimestamp: '2024-12-31T23:59:00Z',
      deletionGracePeriodSeconds: 30,
    };
    expect(renderResourceList(PODS.usage(stuck, now))).to.deep.equal({ 'count/pods': '1' });
    stuck.metadata.deletionGracePeriodSeconds = 120;
    expect(PODS.usage(stuck, now)['requests.cpu']?.toString()).to.equal('1');
  });

  it('requires every container to state what a quota limits of cpu and memory', () => {
    const p = pod([{ resources: { requests: { cpu: '1' } } }, {}]);
    expect(PODS.constraintViolation(['pods', 'requests.cpu'], p)).to.equal('must specify requests.cpu');
    expect(PODS.constraintViolation(['limits.memory', 'requests.cpu', 'cpu'], p)).to.equal(
      'must specify cpu,limits.memory,requests.cpu',
    );
    expect(PODS.constraintViolation(['pods', 'count/pods'], p)).to.equal(undefined);
  });

  it('charges node ports and load balancers by service type', () => {
    const svc = (spec: Service['spec']): Service => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec,
    });
    const ports = [{ port: 80 }, { port: 443 }];
    expect(renderResourceList(SERVICES.usage(svc({ type: 'ClusterIP', ports }), now))).to.deep.equal({
      'count/services': '1',
      services: '1',
    });
    expect(
      renderResourceList(SERVICES.usage(svc({ type: 'NodePort', ports }), now))['services.nodeports'],
    ).to.equal('2');
    expect(renderResourceList(SERVICES.usage(svc({ type: 'LoadBalancer', ports }), now))).to.deep.include({
      'services.loadbalancers': '1',
      'services.nodeports': '2',
    });
  });

  it('counts objects under count/<resource>.<group>, and the legacy names where Kubernetes has them', () => {
    const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } } as KubeObject;
    expect(renderResourceList(DEPLOYMENTS.usage(obj, now))).to.deep.equal({ 'count/deployments.apps': '1' });
    expect(Object.keys(CONFIGMAPS.usage(obj, now)).sort()).to.deep.equal(['configmaps', 'count/configmaps']);
  });

  it('sums usage over objects within the quota scopes, zero for tracked names nothing uses', () => {
    const q = quota(
      { pods: '10', 'requests.memory': '1Gi', 'count/configmaps': '3' },
      { scopes: ['NotBestEffort'] },
    );
    const pods = [pod([{ resources: { requests: { memory: '100Mi' } } }]), pod([{}])];
    expect(renderResourceList(quotaUsage(q, PODS, pods, now))).to.deep.equal({
      pods: '1',
      'requests.memory': '100Mi',
    });
    expect(quotaCovers(q, CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).to.equal(false);
    expect(renderResourceList(quotaUsage(quota({ 'requests.cpu': '1' }), PODS, [], now))).to.deep.equal({
      'requests.cpu': '0',
    });
  });

  it('matches priority-class scope selectors', () => {
    const high = pod([{}], { priorityClassName: 'high' });
    const q = (operator: string, values?: string[]) =>
      quota(
        { pods: '1' },
        { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator, values }] } },
      );
    expect(quotaCovers(q('In', ['high']), PODS, high)).to.equal(true);
    expect(quotaCovers(q('NotIn', ['high']), PODS, high)).to.equal(false);
    expect(quotaCovers(q('Exists'), PODS, pod([{}]))).to.equal(false);
  });
});
