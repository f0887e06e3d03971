import { expect } from 'chai';
import { NetworkPolicyVerdicts } from '../api/network-policy-verdict.js';
import type { NetworkPolicy, NetworkPolicySpec } from '../api/types.js';
import { nodePolicyRules, type PolicyDestination, type PolicySource } from './network-policy-rules.js';

const policy = (namespace: string, spec: NetworkPolicySpec): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace },
  spec,
});
const chains = { filter: 'NP', nat: 'NPN' };
const web = (ns: string, ip: string, hostPort: number): PolicyDestination => ({
  key: `${ns}/web`,
  subject: { namespace: ns, labels: { app: 'web' }, ip },
  ip,
  ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP', hostPort }],
});
const a = web('team-a', '127.0.1.1', 40001);
const b = web('team-b', '127.0.1.2', 40002);
const sourceA: PolicySource = { key: a.key, subject: a.subject, uid: 200001 };
const sourceB: PolicySource = { key: b.key, subject: b.subject, uid: 200257 };
const rules = (policies: NetworkPolicy[], sources: PolicySource[]) =>
  nodePolicyRules({
    chains,
    nodeIp: '127.0.1.1',
    sources,
    destinations: [a, b],
    nodePorts: [30080],
    verdicts: new NetworkPolicyVerdicts(policies, () => ({})),
  });
const appended = (text: { ipv4: string }) => text.ipv4.split('\n').filter((l) => l.startsWith('-A '));

describe('nodePolicyRules', () => {
  it('without policies: replies pass, and pods’ node-port connections go to their own node', () => {
    const text = rules([], [sourceA]);
    expect(appended(text)).to.deep.equal([
      '-A NP -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
      '-A NPN -p tcp --dport 30080 -j DNAT --to-destination 127.0.1.1',
    ]);
    // Declaring the chains is what makes a restore replace them.
    expect(text.ipv4).to.match(/^\*filter\n:NP - \[0:0\]\n/);
    expect(text.ipv4).to.include('*nat\n:NPN - [0:0]\n');
    expect(text.ipv6).to.equal(
      '*filter\n:NP - [0:0]\n-A NP -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\nCOMMIT\n',
    );
  });

  it('rejects a local pod’s connections to a pod whose ingress is closed to it, and returns the allowed ones', () => {
    const denyB = policy('team-b', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }] }],
    });
    const unknownPods = '-A NP -d 127.0.1.2/32 -p tcp --dport 40002 -j REJECT';
    expect(appended(rules([denyB], [sourceA])).slice(1, -1)).to.deep.equal([
      '-A NP -m owner --uid-owner 200001 -d 127.0.1.2/32 -p tcp --dport 40002 -j REJECT',
      // A pod the rules do not know yet gets no isolated pod's port.
      unknownPods,
    ]);
    // team-b's own pod may reach its namespace's pods, itself included.
    expect(appended(rules([denyB], [sourceB])).slice(1, -1)).to.deep.equal([
      '-A NP -m owner --uid-owner 200257 -d 127.0.1.2/32 -p tcp --dport 40002 -j RETURN',
      unknownPods,
    ]);
    // An isolated pod could listen on :: too: while one is isolated, pods' IPv6 is closed.
    expect(rules([denyB], [sourceA]).ipv6.split('\n').slice(3, -2)).to.deep.equal([
      '-A NP -m owner --uid-owner 200001 -j REJECT',
      '-A NP -j REJECT',
    ]);
  });

  it('for an egress-isolated pod: allowed pods, node ports and ipBlocks return; everything else is rejected', () => {
    const egress = policy('team-a', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ namespaceSelector: {} }], ports: [{ port: 8080 }] },
        { to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }], ports: [{ port: 443 }] },
      ],
    });
    const lines = appended(rules([egress], [sourceA]));
    const owner = '-A NP -m owner --uid-owner 200001';
    expect(lines).to.include(`${owner} -d 127.0.1.2/32 -p tcp --dport 40002 -j RETURN`);
    expect(lines).to.include(`${owner} -p tcp --dport 30080 -j RETURN`);
    expect(lines).to.include(`${owner} -d 192.168.0.0/24 -p tcp --dport 443 -j RETURN`);
    expect(lines).to.include(`${owner} -d 192.168.128.0/17 -p tcp --dport 443 -j RETURN`);
    expect(lines.some((l) => l.includes('192.168.1.0/24'))).to.equal(false);
    expect(lines.filter((l) => l.startsWith('-A NP ')).slice(-2)).to.deep.equal([
      `${owner} -j REJECT`,
      // While any policy isolates egress, a pod the rules do not know yet opens nothing.
      '-A NP -j REJECT',
    ]);
    // team-b is not isolated: its known pod returns before that last rule.
    expect(appended(rules([egress], [sourceB]))).to.include('-A NP -m owner --uid-owner 200257 -j RETURN');
  });
});
