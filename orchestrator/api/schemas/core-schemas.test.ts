import { expect } from 'chai';
import { expectCause, expectValid } from './support.test.js';

const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });

describe('core/v1 schemas', () => {
  describe('Namespace', () => {
    const ns = (name: string, extra: object = {}) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta(name),
      ...extra,
    });

    it('admits a namespace with finalizers and status', () => {
      expectValid(
        ns('team-a', { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }),
        'Namespace',
      );
    });

    it('requires a DNS-1123 label name', () => {
      expectCause(ns('team.a'), 'Namespace', 'metadata.name', 'a lowercase RFC 1123 label');
      expectCause(ns('a'.repeat(64)), 'Namespace', 'metadata.name', 'must be no more than 63 characters');
    });
  });

  describe('Node', () => {
    const node = (spec: object) => ({ apiVersion: 'v1', kind: 'Node', metadata: meta('node-1'), spec });

    it('admits a node with taints and a kubelet status', () => {
      expectValid(
        {
          ...node({
            unschedulable: true,
            podCIDR: '10.244.1.0/24',
            taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
          }),
          status: {
            capacity: { cpu: '4', memory: '8Gi', pods: '110' },
            allocatable: { cpu: '3800m', memory: '7Gi', pods: 110 },
            conditions: [{ type: 'Ready', status: 'True' }],
            addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
            nodeInfo: { kubeletVersion: 'v1.32.0' },
            daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          },
        },
        'Node',
      );
    });

    it('rejects an unknown taint effect and a duplicate taint', () => {
      expectCause(
        node({ taints: [{ key: 'a', effect: 'NoRun' }] }),
        'Node',
        'spec.taints[0].effect',
        'Unsupported value: "NoRun"',
      );
      const twice = { key: 'a', effect: 'NoSchedule' };
      expectCause(node({ taints: [twice, twice] }), 'Node', 'spec.taints[1]', 'Duplicate value');
    });

    it('requires taint key and effect', () => {
      expectCause(node({ taints: [{ value: 'x' }] }), 'Node', 'spec.taints[0].key', 'Required value');
      expectCause(node({ taints: [{ value: 'x' }] }), 'Node', 'spec.taints[0].effect', 'Required value');
    });

    it('spec.unschedulable is a boolean', () => {
      expectCause(node({ unschedulable: 'yes' }), 'Node', 'spec.unschedulable', 'must be of type boolean');
    });
  });

  describe('Endpoints', () => {
    const ep = (subsets: object[]) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web', 'default'),
      subsets,
    });

    it('admits addresses with target references and named ports', () => {
      expectValid(
        ep([
          {
            addresses: [
              {
                ip: '10.244.1.5',
                nodeName: 'node-1',
                targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u' },
              },
            ],
            notReadyAddresses: [{ ip: '10.244.2.7' }],
            ports: [
              { name: 'http', port: 8080, protocol: 'TCP' },
              { name: 'metrics', port: 9090 },
            ],
          },
        ]),
        'Endpoints',
      );
    });

    it('rejects an address that is not an IP and a port out of range', () => {
      expectCause(
        ep([{ addresses: [{ ip: 'web-1' }] }]),
        'Endpoints',
        'subsets[0].addresses[0].ip',
        'must be a valid IP address',
      );
      expectCause(ep([{ ports: [{ port: 0 }] }]), 'Endpoints', 'subsets[0].ports[0].port', 'Required value');
    });
  });

  describe('ConfigMap', () => {
    const cm = (extra: object) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('settings', 'default'),
      ...extra,
    });

    it('admits data, binaryData and immutable', () => {
      expectValid(
        cm({ data: { 'app.yaml': 'a: 1' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' }, immutable: true }),
        'ConfigMap',
      );
    });

    it('rejects keys that are not file names and values that are not strings', () => {
      expectCause(
        cm({ data: { 'a/b': 'x' } }),
        'ConfigMap',
        'data[a/b]',
        'a valid config key must consist of alphanumeric characters',
      );
      expectCause(cm({ data: { port: 8080 } }), 'ConfigMap', 'data[port]', 'must be of type string');
    });

    it('rejects binary data that is not base64 and keys in both maps', () => {
      expectCause(
        cm({ binaryData: { a: 'not base64!' } }),
        'ConfigMap',
        'binaryData[a]',
        'must be base64-encoded',
      );
      expectCause(
        cm({ data: { a: 'x' }, binaryData: { a: 'eA==' } }),
        'ConfigMap',
        'binaryData',
        'duplicate of key present in data',
      );
    });

    it('rejects more than 1 MiB of data', () => {
      expectCause(cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } }), 'ConfigMap', 'data', 'Too long');
    });
  });

  describe('Event', () => {
    const event = (extra: object = {}) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web-1.17a2b3c4d5e6f', 'default'),
      involvedObject: {
        kind: 'Pod',
        namespace: 'default',
        name: 'web-1',
        uid: 'u1',
        apiVersion: 'v1',
        fieldPath: 'spec.containers{web}',
      },
      reason: 'Pulled',
      message: 'Container image "nginx" already present on machine',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:05Z',
      count: 2,
      type: 'Normal',
      eventTime: null,
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
      ...extra,
    });

    it('admits an event as a kubelet writes it', () => {
      expectValid(
        event({
          series: { count: 2, lastObservedTime: '2024-01-01T00:00:05.000000Z' },
          action: 'Pulling',
          related: { kind: 'Node', name: 'node-1' },
        }),
        'Event',
      );
    });

    it('must live in the namespace of its involved object', () => {
      expectCause(
        event({ metadata: meta('e', 'other') }),
        'Event',
        'involvedObject.namespace',
        'does not match event.namespace',
      );
    });

    it('count is an int32', () => {
      expectCause(event({ count: 'two' }), 'Event', 'count', 'must be of type int32');
    });
  });

  describe('ResourceQuota', () => {
    const rq = (hard: object) => ({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('quota', 'team-a'),
      spec: { hard },
    });

    it('admits quantities for standard and extended resources', () => {
      expectValid(
        rq({ pods: '10', 'requests.cpu': '4', 'limits.memory': '16Gi', 'count/deployments.apps': 5 }),
        'ResourceQuota',
      );
    });

    it('rejects negative amounts and malformed quantities', () => {
      expectCause(
        rq({ pods: '-1' }),
        'ResourceQuota',
        'spec.hard[pods]',
        'must be greater than or equal to 0',
      );
      expectCause(
        rq({ pods: 'ten' }),
        'ResourceQuota',
        'spec.hard[pods]',
        'quantities must match the regular expression',
      );
    });
  });

  describe('ServiceAccount', () => {
    const sa = (extra: object = {}) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('builder', 'ci'),
      ...extra,
    });

    it('admits secrets, imagePullSecrets and automountServiceAccountToken', () => {
      expectValid(
        sa({
          secrets: [{ name: 'builder-token' }],
          imagePullSecrets: [{ name: 'registry' }],
          automountServiceAccountToken: false,
        }),
        'ServiceAccount',
      );
    });

    it('rejects a bad name and an unknown field', () => {
      expectCause(
        sa({ metadata: meta('Builder', 'ci') }),
        'ServiceAccount',
        'metadata.name',
        'a lowercase RFC 1123 subdomain',
      );
      expectCause(sa({ token: 'x' }), 'ServiceAccount', 'token', 'unknown field "token"');
    });
  });

  it('reports nothing for objects that are fine', () => {
    expect(() =>
      expectValid({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'ConfigMap'),
    ).to.not.throw();
  });
});
