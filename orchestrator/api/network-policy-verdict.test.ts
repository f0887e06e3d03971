import { expect } from 'chai';
import { subtractCidrs } from './cidr.js';
import { NetworkPolicyVerdicts, type PolicySubject } from './network-policy-verdict.js';
import type { NetworkPolicy, NetworkPolicySpec } from './types.js';

const policy = (namespace: string, spec: NetworkPolicySpec): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace },
  spec,
});
const namespaceLabels: Record<string, Record<string, string>> = {
  'team-a': { tenant: 'a' },
  'team-b': { tenant: 'b' },
  shared: { tenant: 'shared' },
};
const verdicts = (...policies: NetworkPolicy[]) =>
  new NetworkPolicyVerdicts(policies, (ns) => namespaceLabels[ns]);
const pod = (namespace: string, labels: Record<string, string>, ip = '10.0.0.1'): PolicySubject => ({
  namespace,
  labels,
  ip,
});
const http = { containerPort: 8080, name: 'http', protocol: 'TCP' };
const metrics = { containerPort: 9090, name: 'metrics', protocol: 'TCP' };
const webA = pod('team-a', { app: 'web' });
const dbA = pod('team-a', { app: 'db' });
const webB = pod('team-b', { app: 'web' });

describe('NetworkPolicy verdicts', () => {
  it('allows everything when no policy selects either pod', () => {
    const v = verdicts(
      policy('team-a', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }),
    );
    expect(v.allows(webB, webA, http)).to.equal(true);
    expect(v.isolated(webA, 'Ingress')).to.equal(false);
  });

  it('denies all ingress to pods a default-deny policy selects, and nothing else', () => {
    const v = verdicts(policy('team-a', { podSelector: {}, policyTypes: ['Ingress'] }));
    expect(v.allows(webB, webA, http)).to.equal(false);
    expect(v.allows(dbA, webA, http)).to.equal(false);
    expect(v.allows(webA, webB, http), 'egress of team-a is not isolated').to.equal(true);
    expect(v.allows(webA, webA, http, true), 'a pod to itself').to.equal(true);
  });

  it('allows ingress from the policy namespace’s pods a podSelector names, on the ports listed', () => {
    const v = verdicts(
      policy('team-a', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }],
      }),
    );
    expect(v.allows(webA, dbA, http)).to.equal(true);
    expect(v.allows(webA, dbA, metrics), 'port not listed').to.equal(false);
    expect(v.allows(webB, dbA, http), 'same labels, other namespace').to.equal(false);
  });

  it('matches namespaces by their labels, and by kubernetes.io/metadata.name', () => {
    const byLabel = verdicts(
      policy('team-a', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: 'b' } } }] }],
      }),
    );
    expect(byLabel.allows(webB, webA, http)).to.equal(true);
    expect(byLabel.allows(pod('shared', {}), webA, http)).to.equal(false);
    const byName = verdicts(
      policy('team-a', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-b' } },
                podSelector: { matchLabels: { app: 'db' } },
              },
            ],
          },
        ],
      }),
    );
    expect(byName.allows(webB, webA, http), 'both selectors must match').to.equal(false);
    expect(byName.allows(pod('team-b', { app: 'db' }), webA, http)).to.equal(true);
  });

  it('needs the client’s egress as well as the server’s ingress, and adds rules of several policies up', () => {
    const denyEgress = policy('team-a', { podSelector: {}, policyTypes: ['Egress'] });
    expect(verdicts(denyEgress).allows(webA, webB, http)).to.equal(false);
    const allowToDb = policy('team-a', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ podSelector: { matchLabels: { app: 'db' } } }],
          ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }],
        },
      ],
    });
    const v = verdicts(denyEgress, allowToDb);
    expect(v.allows(webA, dbA, http)).to.equal(true);
    expect(v.allows(webA, dbA, metrics), 'outside the port range').to.equal(false);
    expect(v.allows(webA, dbA, { ...http, protocol: 'UDP' }), 'other protocol').to.equal(false);
  });

  it('defaults policyTypes as the apiserver does when a policy comes without them', () => {
    const v = verdicts(policy('team-a', { podSelector: {}, egress: [{}] }));
    expect(v.isolated(webA, 'Ingress')).to.equal(true);
    expect(v.isolated(webA, 'Egress')).to.equal(true);
    // Upstream adds Egress only for a policy with egress rules.
    expect(verdicts(policy('team-a', { podSelector: {}, egress: [] })).isolated(webA, 'Egress')).to.equal(
      false,
    );
  });

  it('matches an egress ipBlock against a pod’s address, except what it excepts', () => {
    const v = verdicts(
      policy('team-a', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.1.0/24'] } }] }],
      }),
    );
    expect(v.allows(webA, pod('team-b', {}, '10.0.0.7'), http)).to.equal(true);
    expect(v.allows(webA, pod('team-b', {}, '10.0.1.7'), http)).to.equal(false);
    expect(v.addressAllowances(webA)).to.deep.equal([
      { cidrs: subtractCidrs('10.0.0.0/8', ['10.0.1.0/24']) },
    ]);
    expect(v.addressAllowances(webB), 'not isolated').to.equal(undefined);
  });

  it('gives address allowances only numeric ports: a rule of named ports alone allows no address', () => {
    const v = verdicts(
      policy('team-a', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'http' }] }, { ports: [{ protocol: 'UDP', port: 53 }] }],
      }),
    );
    expect(v.addressAllowances(webA)).to.deep.equal([{ ports: [{ protocol: 'UDP', from: 53, to: 53 }] }]);
  });
});
