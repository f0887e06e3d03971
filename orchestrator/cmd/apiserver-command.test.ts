import { expect } from 'chai';
import { authorizationModes, nodeRestrictionEnabled } from './apiserver-command.js';

describe('orchestrator apiserver flags', () => {
  it('reads --authorization-mode as modes asked in order', () => {
    expect(authorizationModes('Node,RBAC')).to.deep.equal(['Node', 'RBAC']);
    expect(authorizationModes(' AlwaysAllow ')).to.deep.equal(['AlwaysAllow']);
    expect(() => authorizationModes('Node,ABAC')).to.throw(
      '--authorization-mode: unsupported mode(s) ABAC; use Node, RBAC, AlwaysAllow',
    );
    expect(() => authorizationModes('RBAC,RBAC')).to.throw('--authorization-mode: RBAC given twice');
    expect(() => authorizationModes('')).to.throw('--authorization-mode: no mode given');
  });

  it('runs NodeRestriction unless disabled, and names every admission plugin problem at once', () => {
    expect(
      nodeRestrictionEnabled({ enableAdmissionPlugins: 'NodeRestriction', disableAdmissionPlugins: '' }),
    ).to.equal(true);
    expect(
      nodeRestrictionEnabled({
        enableAdmissionPlugins: 'ResourceQuota',
        disableAdmissionPlugins: 'NodeRestriction',
      }),
    ).to.equal(false);
    expect(() =>
      nodeRestrictionEnabled({
        enableAdmissionPlugins: 'NodeRestriction,PodSecurity',
        disableAdmissionPlugins: 'NodeRestriction,ResourceQuota',
      }),
    ).to.throw(
      [
        '--enable-admission-plugins: unknown plugin PodSecurity',
        '--disable-admission-plugins: ResourceQuota always runs here',
        'NodeRestriction is both enabled and disabled',
        'known plugins: NamespaceLifecycle, DefaultTolerationSeconds, ResourceQuota, NodeRestriction',
      ].join('\n'),
    );
  });
});
