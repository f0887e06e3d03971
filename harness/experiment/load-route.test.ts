import { expect } from 'chai';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { Service } from '../../orchestrator/api/types.js';
import type { RunningCluster } from '../cluster/index.js';
import { scenarioLoad as load } from '../../testing/scenario-load.js';
import { resolveLoadRoute } from './load-route.js';

const cluster = {
  record: {
    spec: { controlPlane: { cloudControllerManager: false } },
    workers: [
      { name: 'worker-1', ip: '127.0.9.1' },
      { name: 'worker-2', ip: '127.0.9.2' },
    ],
  },
} as unknown as RunningCluster;

/** An API that knows one Service, web in app, of the given type and node port. */
function api(type: string, nodePort?: number): ApiClient {
  const service = {
    metadata: { name: 'web', namespace: 'app' },
    spec: { type, ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
  } as Service;
  return { get: async () => service } as unknown as ApiClient;
}

describe('how a load reaches its Service', () => {
  it('goes through a node port on every worker when the Service has no load balancer', async () => {
    const route = await resolveLoadRoute(api('NodePort', 30090), cluster, load({}));
    expect(route.targets).to.deep.equal([
      { url: 'http://127.0.9.1:30090', node: 'worker-1' },
      { url: 'http://127.0.9.2:30090', node: 'worker-2' },
    ]);
    expect(route.words).to.equal('node ports on 127.0.9.1, 127.0.9.2');
  });

  it('keeps to the workers named by nodes:', async () => {
    const route = await resolveLoadRoute(api('NodePort', 30090), cluster, load({ nodes: ['worker-2'] }));
    expect(route.targets.map((t) => t.node)).to.deep.equal(['worker-2']);
  });

  it('falls back to the url under auto when the Service has no node port, and says so', async () => {
    const route = await resolveLoadRoute(api('ClusterIP'), cluster, load({ url: 'http://127.0.0.1:8080/' }));
    expect(route).to.deep.equal({
      targets: [{ url: 'http://127.0.0.1:8080/', node: 'url' }],
      words: 'the url http://127.0.0.1:8080/',
    });
  });

  it('uses the url alone with via: url, whatever the Service is', async () => {
    const route = await resolveLoadRoute(
      api('NodePort', 30090),
      cluster,
      load({ via: 'url', url: 'http://127.0.0.1:8080/' }),
    );
    expect(route.targets).to.deep.equal([{ url: 'http://127.0.0.1:8080/', node: 'url' }]);
  });

  it('fails with the reason when via: node-port meets a Service without one, url or not', async () => {
    const e = await resolveLoadRoute(
      api('ClusterIP'),
      cluster,
      load({ via: 'node-port', url: 'http://127.0.0.1:8080/' }),
    ).catch((err: unknown) => err);
    expect(e).to.have.property('code', 'ServiceWithoutNodePort');
  });

  it('fails with the reason when via: load-balancer meets a Service without one', async () => {
    const e = await resolveLoadRoute(api('NodePort', 30090), cluster, load({ via: 'load-balancer' })).catch(
      (err: unknown) => err,
    );
    expect(e).to.have.property('code', 'ServiceWithoutLoadBalancer');
    expect((e as Error).message).to.include('app/web has no load balancer');
  });
});
