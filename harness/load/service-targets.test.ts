import { expect } from 'chai';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { errors } from '../../orchestrator/api/errors.js';
import type { ResourceType } from '../../orchestrator/api/resources.js';
import type { Service } from '../../orchestrator/api/types.js';
import { LoadError } from './load-error.js';
import { resolveLoadBalancerTarget, resolveServiceTargets } from './service-targets.js';

/** A client holding a few Services, recording what it was asked. */
function fakeClient(services: Service[]) {
  const calls: string[] = [];
  const client = {
    get: async (r: ResourceType, namespace: string, name: string) => {
      calls.push(`GET ${r.resource} ${namespace}/${name}`);
      const found = services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
      if (!found) throw errors.notFound(r.resource, r.group, name);
      return found;
    },
  } as unknown as Pick<ApiClient, 'get'>;
  return { client, calls };
}

const service = (name: string, spec: Service['spec']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec,
});

const workers = [
  { name: 'worker-1', ip: '127.0.1.1' },
  { name: 'worker-2', ip: '127.0.1.2' },
];

describe('service targets', () => {
  it('reaches a Service through its node port on every worker, one URL each, named by the worker', async () => {
    const { client, calls } = fakeClient([
      service('web', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
    ]);
    expect(await resolveServiceTargets(client, workers, 'shop', 'web')).to.deep.equal([
      { url: 'http://127.0.1.1:30080', node: 'worker-1' },
      { url: 'http://127.0.1.2:30080', node: 'worker-2' },
    ]);
    expect(calls).to.deep.equal(['GET services shop/web']);
  });

  it('picks the port by number or name when the Service has several, and says which exist otherwise', async () => {
    const { client } = fakeClient([
      service('multi', {
        type: 'NodePort',
        ports: [
          { name: 'http', port: 80, nodePort: 30080 },
          { name: 'admin', port: 9000, nodePort: 30900 },
        ],
      }),
    ]);
    expect(
      (await resolveServiceTargets(client, workers.slice(0, 1), 'shop', 'multi', 9000))[0]!.url,
    ).to.equal('http://127.0.1.1:30900');
    expect(
      (await resolveServiceTargets(client, workers.slice(0, 1), 'shop', 'multi', 'http'))[0]!.url,
    ).to.equal('http://127.0.1.1:30080');
    const ambiguous = await resolveServiceTargets(client, workers, 'shop', 'multi').catch((e: unknown) => e);
    expect(ambiguous).to.be.instanceOf(LoadError).with.property('code', 'ServicePortNotFound');
    expect((ambiguous as Error).message).to.contain('80 (http), 9000 (admin)');
    const wrong = await resolveServiceTargets(client, workers, 'shop', 'multi', 443).catch((e: unknown) => e);
    expect(wrong).to.be.instanceOf(LoadError).with.property('message').that.contains('has no port 443');
  });

  it('explains a missing Service and a Service without a node port', async () => {
    const { client } = fakeClient([service('internal', { type: 'ClusterIP', ports: [{ port: 80 }] })]);
    const missing = await resolveServiceTargets(client, workers, 'shop', 'nope').catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(LoadError).with.property('code', 'ServiceNotFound');
    const internal = await resolveServiceTargets(client, workers, 'shop', 'internal').catch(
      (e: unknown) => e,
    );
    expect(internal).to.be.instanceOf(LoadError).with.property('code', 'ServiceWithoutNodePort');
    expect((internal as Error).message)
      .to.contain('type ClusterIP')
      .and.contain('NodePort');
  });

  describe('through a load balancer', () => {
    const lb = (ingress?: { ip: string }[]): Service => ({
      ...service('front', { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }),
      ...(ingress ? { status: { loadBalancer: { ingress } } } : {}),
    });
    const accepts = async () => true;

    it('reaches a LoadBalancer Service at its ingress address and Service port', async () => {
      const { client } = fakeClient([lb([{ ip: '127.0.1.200' }])]);
      expect(await resolveLoadBalancerTarget(client, 'shop', 'front', undefined, 0, accepts)).to.deep.equal({
        url: 'http://127.0.1.200:80',
        node: 'load-balancer',
      });
    });

    it('gives nothing for a Service of another type, or one without an ingress yet', async () => {
      const { client } = fakeClient([
        lb(),
        service('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      ]);
      expect(await resolveLoadBalancerTarget(client, 'shop', 'front', undefined, 0, accepts)).to.equal(
        undefined,
      );
      expect(await resolveLoadBalancerTarget(client, 'shop', 'web', undefined, 0, accepts)).to.equal(
        undefined,
      );
    });

    it('waits for the balancer to accept connections', async () => {
      const { client, calls } = fakeClient([lb([{ ip: '127.0.1.200' }])]);
      let tries = 0;
      const target = await resolveLoadBalancerTarget(
        client,
        'shop',
        'front',
        80,
        5000,
        async () => ++tries > 2,
      );
      expect(target?.url).to.equal('http://127.0.1.200:80');
      expect(calls).to.have.length(3);
    });
  });
});
