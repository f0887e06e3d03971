import { expect } from 'chai';
import { makesServiceAccounts } from './cluster-boot.js';

describe('cluster boot: whether to wait for the controller-manager', () => {
  it('waits when the serviceaccount controller runs, as it does unless --controllers leaves it out', () => {
    expect(makesServiceAccounts([])).to.equal(true);
    expect(makesServiceAccounts(['--controllers=*,-nodelifecycle'])).to.equal(true);
    expect(makesServiceAccounts(['--controllers=serviceaccount,replicaset'])).to.equal(true);
    expect(makesServiceAccounts(['--controllers=*,-serviceaccount'])).to.equal(false);
    expect(makesServiceAccounts(['--controllers=replicaset,deployment'])).to.equal(false);
    // The last flag wins, as it does for the component.
    expect(makesServiceAccounts(['--controllers=replicaset', '--controllers=*'])).to.equal(true);
  });
});
