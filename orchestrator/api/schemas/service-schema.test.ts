import { expect } from 'chai';
import { causesOf, expectCause, expectValid, service } from './support.test.js';

describe('Service schema', () => {
  it('admits a realistic NodePort Service under Strict', () => {
    expectValid(
      service({
        type: 'NodePort',
        selector: { 'app.kubernetes.io/name': 'web' },
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
          { name: 'https', port: 443, targetPort: 8443, appProtocol: 'https' },
        ],
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        externalTrafficPolicy: 'Local',
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
      }),
      'Service',
    );
  });

  it('names are DNS-1035 labels, as Kubernetes requires for Services', () => {
    expectValid(service({}, { name: 'web-1' }), 'Service');
    expectCause(
      service({}, { name: '1web' }),
      'Service',
      'metadata.name',
      'a DNS-1035 label must consist of lower case alphanumeric characters',
    );
    expectCause(service({}, { name: 'web.example' }), 'Service', 'metadata.name', 'a DNS-1035 label');
  });

  describe('ports', () => {
    it('are required except for headless and ExternalName services', () => {
      expectCause(service({ ports: [] }), 'Service', 'spec.ports', 'Required value');
      expectValid(service({ ports: [], clusterIP: 'None' }), 'Service');
      expectValid(
        service({ ports: [], selector: undefined, type: 'ExternalName', externalName: 'db.example.com' }),
        'Service',
      );
    });

    it('each need a port between 1 and 65535', () => {
      expectCause(
        service({ ports: [{ targetPort: 80 }] }),
        'Service',
        'spec.ports[0].port',
        'Required value',
      );
      expectCause(service({ ports: [{ port: 0 }] }), 'Service', 'spec.ports[0].port', 'Required value');
      expectCause(
        service({ ports: [{ port: 65536 }] }),
        'Service',
        'spec.ports[0].port',
        'must be between 1 and 65535, inclusive',
      );
    });

    it('need unique names when there are several', () => {
      expectCause(
        service({ ports: [{ port: 80 }, { port: 81 }] }),
        'Service',
        'spec.ports[0].name',
        'Required value',
      );
      expectCause(
        service({
          ports: [
            { name: 'a', port: 80 },
            { name: 'a', port: 81 },
          ],
        }),
        'Service',
        'spec.ports[1].name',
        'Duplicate value: "a"',
      );
    });

    it('may not repeat a port and protocol', () => {
      expectValid(
        service({
          ports: [
            { name: 'dns', port: 53 },
            { name: 'dns-udp', port: 53, protocol: 'UDP' },
          ],
        }),
        'Service',
      );
      expectCause(
        service({
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 80 },
          ],
        }),
        'Service',
        'spec.ports[1]',
        'Duplicate value: {"port":80,"protocol":"TCP"}',
      );
    });

    it('target a port number or an IANA name', () => {
      expectValid(service({ ports: [{ port: 80, targetPort: 'http' }] }), 'Service');
      expectCause(
        service({ ports: [{ port: 80, targetPort: 70000 }] }),
        'Service',
        'spec.ports[0].targetPort',
        'must be between 1 and 65535, inclusive',
      );
      expectCause(
        service({ ports: [{ port: 80, targetPort: 'http_alt' }] }),
        'Service',
        'spec.ports[0].targetPort',
        'must contain only alpha-numeric characters',
      );
    });

    it('take a nodePort that is a port number, leaving the node port range to the allocator', () => {
      expectValid(service({ type: 'NodePort', ports: [{ port: 80, nodePort: 32767 }] }), 'Service');
      expectValid(service({ type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }), 'Service');
      expectCause(
        service({ type: 'NodePort', ports: [{ port: 80, nodePort: 70000 }] }),
        'Service',
        'spec.ports[0].nodePort',
        'Invalid value: 70000: must be between 1 and 65535, inclusive',
      );
    });

    it('use a known protocol', () => {
      expectCause(
        service({ ports: [{ port: 80, protocol: 'HTTP' }] }),
        'Service',
        'spec.ports[0].protocol',
        'supported values: "SCTP", "TCP", "UDP"',
      );
    });
  });

  it('type is ClusterIP, NodePort, LoadBalancer or ExternalName', () => {
    expectValid(service({ type: 'LoadBalancer' }), 'Service');
    expectCause(
      service({ type: 'Ingress' }),
      'Service',
      'spec.type',
      'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    );
  });

  it('ExternalName services need an external name', () => {
    expectCause(service({ type: 'ExternalName' }), 'Service', 'spec.externalName', 'Required value');
  });

  it('clusterIP is None or an IP address', () => {
    expectCause(service({ clusterIP: 'ten' }), 'Service', 'spec.clusterIP', 'must be a valid IP address');
  });

  it('policies take their known values', () => {
    const causes = causesOf(
      service({ sessionAffinity: 'Sticky', externalTrafficPolicy: 'Global', ipFamilies: ['IPv5'] }),
      'Service',
    );
    expect(causes.map((c) => c.field)).to.have.members([
      'spec.sessionAffinity',
      'spec.externalTrafficPolicy',
      'spec.ipFamilies[0]',
    ]);
  });

  it('selector holds valid labels', () => {
    expectCause(service({ selector: { app: 'a b' } }), 'Service', 'spec.selector', 'a valid label must be');
  });
});
