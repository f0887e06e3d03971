import { expect } from 'chai';
import type { NetworkPolicy } from '../types.js';
import { defaultObject } from './default-object.js';
import { causesOf, expectCause, expectValid } from './support.test.js';

const KIND = 'NetworkPolicy';

const netpol = (spec: object = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: KIND,
  metadata: { name: 'web', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, ...spec },
});

const fromPods = { podSelector: { matchLabels: { role: 'client' } } };

const stored = (obj: object) => defaultObject(expectValid(obj, KIND)) as NetworkPolicy;

describe('NetworkPolicy schema', () => {
  it('admits a deny-all policy (an empty podSelector) and one with ingress and egress rules', () => {
    expectValid(netpol({ podSelector: {} }), KIND);
    expectValid(
      netpol({
        ingress: [
          {
            from: [fromPods, { namespaceSelector: {}, podSelector: { matchLabels: { app: 'probe' } } }],
            ports: [{ port: 8080 }, { protocol: 'UDP', port: 'dns' }, { port: 9000, endPort: 9100 }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }, {}],
        policyTypes: ['Ingress', 'Egress'],
      }),
      KIND,
    );
  });

  it('defaults each port to TCP and policyTypes to Ingress, plus Egress when there are egress rules', () => {
    const ingressOnly = stored(netpol({ ingress: [{ ports: [{ port: 80 }] }] }));
    expect(ingressOnly.spec.policyTypes).to.deep.equal(['Ingress']);
    expect(ingressOnly.spec.ingress![0]!.ports).to.deep.equal([{ port: 80, protocol: 'TCP' }]);
    const withEgress = stored(netpol({ egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }));
    expect(withEgress.spec.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(withEgress.spec.egress![0]!.ports).to.deep.equal([{ port: 53, protocol: 'UDP' }]);
    // As upstream's defaulter, which counts the rules: an empty list is no egress rule.
    expect(stored(netpol({ egress: [] })).spec.policyTypes).to.deep.equal(['Ingress']);
    expect(stored(netpol({ policyTypes: [] })).spec.policyTypes).to.deep.equal(['Ingress']);
    expect(stored(netpol({ policyTypes: ['Egress'] })).spec.policyTypes).to.deep.equal(['Egress']);
  });

  it('defaults idempotently', () => {
    const once = stored(netpol({ egress: [{ ports: [{ port: 53 }] }] }));
    expect(defaultObject(once)).to.deep.equal(once);
  });

  it('requires a podSelector, naming the field', () => {
    expectCause(
      { ...netpol(), spec: {} },
      KIND,
      'spec.podSelector',
      'Required value: an empty selector ({}) selects every pod of the namespace',
    );
    expectCause({ ...netpol(), spec: undefined }, KIND, 'spec.podSelector', 'Required value');
  });

  it('checks label selectors of the policy and of its peers', () => {
    expectCause(
      netpol({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }),
      KIND,
      'spec.podSelector.matchExpressions[0].values',
      'Required value',
    );
    expectCause(
      netpol({ ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'bad key!': 'x' } } }] }] }),
      KIND,
      'spec.ingress[0].from[0].namespaceSelector.matchLabels',
      'Invalid value: "bad key!"',
    );
  });

  it('accepts only Ingress and Egress as policyTypes, each once', () => {
    expectCause(
      netpol({ policyTypes: ['Ingress', 'Both'] }),
      KIND,
      'spec.policyTypes[1]',
      'Unsupported value: "Both": supported values: "Ingress", "Egress"',
    );
    expectCause(
      netpol({ policyTypes: ['Egress', 'Egress'] }),
      KIND,
      'spec.policyTypes[1]',
      'Duplicate value: "Egress"',
    );
  });

  it('checks ports: protocol, number or IANA name, and endPort only after a numeric port', () => {
    const port = (p: object) => netpol({ ingress: [{ ports: [p] }] });
    const at = 'spec.ingress[0].ports[0]';
    expectCause(
      port({ protocol: 'ICMP' }),
      KIND,
      `${at}.protocol`,
      'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
    );
    expectCause(port({ port: 0 }), KIND, `${at}.port`, 'must be between 1 and 65535, inclusive');
    expectCause(port({ port: 70000 }), KIND, `${at}.port`, 'must be between 1 and 65535, inclusive');
    expectCause(port({ port: 'HTTP' }), KIND, `${at}.port`, 'must contain only alpha-numeric characters');
    expectCause(port({ port: 'http', endPort: 90 }), KIND, `${at}.endPort`, 'when `port` is non-numeric');
    expectCause(port({ endPort: 90 }), KIND, `${at}.endPort`, 'when `port` is not specified');
    expectCause(
      port({ port: 100, endPort: 90 }),
      KIND,
      `${at}.endPort`,
      'must be greater than or equal to `port`',
    );
    expectCause(port({ port: 100, endPort: 65536 }), KIND, `${at}.endPort`, 'must be between 1 and 65535');
    expectCause(port({ port: 1.5 }), KIND, `${at}.port`, 'must be of type integer or string');
  });

  it('checks an ipBlock: a CIDR, and every except a CIDR strictly inside it', () => {
    const to = (ipBlock: object) => netpol({ egress: [{ to: [{ ipBlock }] }] });
    const at = 'spec.egress[0].to[0].ipBlock';
    expectCause(
      to({ cidr: '10.0.0.0/33' }),
      KIND,
      `${at}.cidr`,
      'Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    );
    expectCause(to({ cidr: '10.0.0.1' }), KIND, `${at}.cidr`, 'must be a valid CIDR value');
    expectCause(to({}), KIND, `${at}.cidr`, 'Required value');
    expectCause(
      to({ cidr: '10.0.0.0/8', except: ['nope'] }),
      KIND,
      `${at}.except[0]`,
      'must be a valid CIDR',
    );
    for (const except of ['11.0.0.0/16', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::/64'])
      expectCause(
        to({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', except] }),
        KIND,
        `${at}.except[1]`,
        `Invalid value: "${except}": must be a strict subset of \`cidr\``,
      );
    expectValid(to({ cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] }), KIND);
  });

  it('requires each peer to name something, and an ipBlock to stand alone', () => {
    expectCause(
      netpol({ egress: [{ to: [fromPods, {}] }] }),
      KIND,
      'spec.egress[0].to[1]',
      'Required value: must specify a peer',
    );
    expectCause(
      netpol({ egress: [{ to: [{ ...fromPods, ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      KIND,
      'spec.egress[0].to[0]',
      'Forbidden: may not specify both ipBlock and another peer',
    );
  });

  it('refuses unknown fields, as strict decoding does', () => {
    expectCause(
      netpol({ ingress: [{ from: [{ podSelectr: {} }] }] }),
      KIND,
      'spec.ingress[0].from[0].podSelectr',
      'unknown field "spec.ingress[0].from[0].podSelectr"',
    );
  });

  describe('what crucible cannot enforce', () => {
    it('refuses an ipBlock among ingress sources, saying why', () => {
      expectCause(
        netpol({ ingress: [{ from: [fromPods, { ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
        KIND,
        'spec.ingress[0].from[1].ipBlock',
        "Unsupported value: ipBlock: crucible's pods share their node's address, so a source address cannot tell pods or outside clients apart; select peers with podSelector/namespaceSelector",
      );
    });

    it('admits an ipBlock among egress destinations', () => {
      expectValid(netpol({ egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }), KIND);
    });

    it('refuses SCTP on ingress and egress ports, saying why', () => {
      const sctp = [{ protocol: 'SCTP', port: 5000 }];
      const causes = causesOf(netpol({ ingress: [{ ports: sctp }], egress: [{ ports: sctp }] }), KIND);
      expect(causes.map((c) => c.field)).to.deep.equal([
        'spec.ingress[0].ports[0].protocol',
        'spec.egress[0].ports[0].protocol',
      ]);
      for (const cause of causes) {
        expect(cause.reason).to.equal('FieldValueNotSupported');
        expect(cause.message).to.equal(
          'Unsupported value: "SCTP": crucible\'s network does not forward SCTP, so a rule for it could never match; use TCP or UDP',
        );
      }
    });
  });
});
