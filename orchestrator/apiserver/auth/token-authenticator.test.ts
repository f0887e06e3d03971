import { expect } from 'chai';

import { TokenAuthenticator } from './token-authenticator.js';
import { parseTokenFile } from './token-file.js';

describe('TokenAuthenticator', () => {
  const authenticator = new TokenAuthenticator(
    parseTokenFile('alice-token,alice,u-1,"team-a"\nbob-token,bob,u-2\n', 'tokens.csv'),
  );

  it('returns the user of a known bearer token', () => {
    expect(authenticator.authenticate('Bearer alice-token')).to.deep.equal({
      username: 'alice',
      uid: 'u-1',
      groups: ['team-a', 'system:authenticated'],
    });
  });

  it('matches the Bearer scheme case-insensitively and ignores surrounding whitespace', () => {
    expect(authenticator.authenticate('bearer bob-token')?.username).to.equal('bob');
    expect(authenticator.authenticate('  BEARER bob-token  ')?.username).to.equal('bob');
  });

  it('rejects a wrong token', () => {
    expect(authenticator.authenticate('Bearer alice-tokeN')).to.equal(undefined);
    expect(authenticator.authenticate('Bearer alice-token-and-more')).to.equal(undefined);
    expect(authenticator.authenticate('Bearer alice')).to.equal(undefined);
  });

  it('rejects a missing header, another scheme and an empty token', () => {
    expect(authenticator.authenticate(undefined)).to.equal(undefined);
    expect(authenticator.authenticate('')).to.equal(undefined);
    expect(authenticator.authenticate('Basic YWxpY2U6cHc=')).to.equal(undefined);
    expect(authenticator.authenticate('alice-token')).to.equal(undefined);
    expect(authenticator.authenticate('Bearer  alice-token')).to.equal(undefined);
  });

  it('adds system:authenticated to users given without it', () => {
    const plain = new TokenAuthenticator(new Map([['t', { username: 'carol', uid: '', groups: ['ops'] }]]));
    expect(plain.authenticate('Bearer t')?.groups).to.deep.equal(['ops', 'system:authenticated']);
  });

  it('hands out copies, so a caller changing one cannot change the next request’s user', () => {
    const first = authenticator.authenticate('Bearer alice-token')!;
    first.groups.push('system:masters');
    expect(authenticator.authenticate('Bearer alice-token')?.groups).to.not.include('system:masters');
  });
});
