import { expect } from 'chai';
import type { Endpoints, Service, ServicePort } from '../api/types.js';
import { nodePortRoutes, readyTargets } from './service-routes.js';

function service(type: Service['spec']['type'], ports: ServicePort[]): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { type, ports },
  };
}

function endpoints(subsets: Endpoints['subsets']): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'shop' }, subsets };
}

describe('service routes', () => {
  describe('nodePortRoutes', () => {
    it('gives each TCP port with a node port of a NodePort or LoadBalancer Service', () => {
      const ports: ServicePort[] = [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
        { name: 'admin', port: 9000 },
      ];
      expect(nodePortRoutes(service('NodePort', ports))).to.deep.equal([
        { service: 'shop/web', portLabel: 'http', servicePort: ports[0], nodePort: 30080, onlyPort: false },
      ]);
      expect(nodePortRoutes(service('LoadBalancer', ports))).to.have.length(1);
      expect(nodePortRoutes(service('ClusterIP', ports))).to.deep.equal([]);
    });

    it('labels an unnamed port by its number', () => {
      const [route] = nodePortRoutes(service('NodePort', [{ port: 8080, nodePort: 31000 }]));
      expect(route).to.include({ portLabel: '8080', onlyPort: true });
    });
  });

  describe('readyTargets', () => {
    const [http, metrics] = nodePortRoutes(
      service('NodePort', [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: 'metrics', port: 9090, nodePort: 30090 },
      ]),
    );

    it('takes the ready addresses of every subset, with the port named like the Service port', () => {
      const eps = endpoints([
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
          notReadyAddresses: [{ ip: '10.0.0.9' }],
          ports: [
            { name: 'http', port: 40001 },
            { name: 'metrics', port: 40002 },
          ],
        },
        { addresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'http', port: 40011 }] },
      ]);
      expect(readyTargets(eps, http!).map((t) => t.name)).to.deep.equal([
        '10.0.0.1:40001',
        '10.0.0.2:40001',
        '10.0.0.3:40011',
      ]);
      expect(readyTargets(eps, metrics!)).to.deep.equal([
        { ip: '10.0.0.1', port: 40002, name: '10.0.0.1:40002' },
        { ip: '10.0.0.2', port: 40002, name: '10.0.0.2:40002' },
      ]);
    });

    it('matches an unnamed only port to an unnamed or only endpoint port', () => {
      const [route] = nodePortRoutes(service('NodePort', [{ port: 80, nodePort: 30080 }]));
      const eps = endpoints([
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 41000 }] },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'odd', port: 42000 }] },
      ]);
      expect(readyTargets(eps, route!).map((t) => t.name)).to.deep.equal([
        '10.0.0.1:41000',
        '10.0.0.2:42000',
      ]);
    });

    it('gives nothing without Endpoints, ready addresses or a matching port', () => {
      expect(readyTargets(undefined, http!)).to.deep.equal([]);
      expect(
        readyTargets(
          endpoints([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'http', port: 1 }] }]),
          http!,
        ),
      ).to.deep.equal([]);
      expect(
        readyTargets(
          endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'other', port: 1 }] }]),
          http!,
        ),
      ).to.deep.equal([]);
    });

    it('lists an address twice only once', () => {
      const eps = endpoints([
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'http', port: 1 }] },
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'http', port: 1 }] },
      ]);
      expect(readyTargets(eps, http!)).to.have.length(1);
    });
  });
});
