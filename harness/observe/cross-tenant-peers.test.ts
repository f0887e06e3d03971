import { expect } from 'chai';
import type { Node, Pod, Service } from '../../orchestrator/api/types.js';
import { crossTenantPeers } from './cross-tenant-peers.js';
import type { IsolationTenant } from './isolation-battery.js';

const tenants: IsolationTenant[] = [
  { name: 'tenant-a', namespaces: ['tenant-a'], token: 'a' },
  { name: 'tenant-b', namespaces: ['tenant-b', 'tenant-b-jobs'], token: 'b' },
];

const node = (name: string, ip: string, ready = true): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: {
    addresses: [
      { type: 'Hostname', address: name },
      { type: 'InternalIP', address: ip },
    ],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});

const pod = (namespace: string, name: string, over: Partial<NonNullable<Pod['status']>> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name },
  spec: { containers: [{ name: 'echo', image: 'crucible/echo', ports: [{ containerPort: 8080 }] }] },
  status: {
    phase: 'Running',
    podIP: '10.0.0.3',
    portMappings: [{ containerName: 'echo', containerPort: 8080, hostPort: 30_100 + name.length }],
    ...over,
  },
});

const service = (namespace: string, name: string, spec: Partial<Service['spec']>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace, name },
  spec: { selector: { app: name }, ...spec },
});

describe('crossTenantPeers', () => {
  const nodes = [node('worker-2', '10.0.0.3'), node('worker-1', '10.0.0.2'), node('cp', '10.0.0.1', false)];

  it("lists other tenants' node-port Services at a Ready node's InternalIP, then their running pods' mapped ports", () => {
    const peers = crossTenantPeers(tenants[0]!, tenants, {
      nodes,
      services: [
        service('tenant-b', 'echo', {
          type: 'NodePort',
          ports: [
            { name: 'http', port: 80, nodePort: 30081 },
            { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
          ],
        }),
        service('tenant-b-jobs', 'lb', { type: 'LoadBalancer', ports: [{ port: 443, nodePort: 30443 }] }),
        service('tenant-b', 'internal', { type: 'ClusterIP', ports: [{ port: 80 }] }),
        service('tenant-a', 'own', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      ],
      pods: [
        pod('tenant-b', 'echo-1'),
        pod('tenant-b', 'echo-pending', { phase: 'Pending', portMappings: [] }),
        pod('tenant-b', 'no-mappings', { portMappings: undefined }),
        pod('tenant-a', 'own-echo'),
        pod('kube-system', 'coredns'),
      ],
    });
    expect(peers).to.deep.equal([
      { name: 'service tenant-b-jobs/lb:443', address: '10.0.0.2:30443' },
      { name: 'service tenant-b/echo:80', address: '10.0.0.2:30081' },
      { name: 'pod tenant-b/echo-1:8080', address: '10.0.0.3:30106' },
    ]);
  });

  it('tries at most the given number of peers of each other tenant', () => {
    const many = Array.from({ length: 30 }, (_, i) => pod('tenant-a', `echo-${String(i).padStart(2, '0')}`));
    const peers = crossTenantPeers(tenants[1]!, tenants, { nodes, services: [], pods: many }, 20);
    expect(peers).to.have.length(20);
    expect(peers[0]!.name).to.equal('pod tenant-a/echo-00:8080');
  });

  it('leaves Services out when no node has an InternalIP', () => {
    const peers = crossTenantPeers(tenants[0]!, tenants, {
      nodes: [],
      services: [service('tenant-b', 'echo', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] })],
      pods: [],
    });
    expect(peers).to.deep.equal([]);
  });

  it('skips a namespace the probing tenant shares with the other', () => {
    const sharing: IsolationTenant[] = [
      tenants[0]!,
      { name: 'tenant-c', namespaces: ['tenant-a'], token: 'c' },
    ];
    const peers = crossTenantPeers(sharing[0]!, sharing, {
      nodes,
      services: [],
      pods: [pod('tenant-a', 'echo-1')],
    });
    expect(peers).to.deep.equal([]);
  });
});
