import { expect } from 'chai';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { createCertificateAuthority, createServiceAccountKeyPair } from '../../api/pki.js';
import type { Pod, ServiceAccount } from '../../api/types.js';
import { decodeJwt, signJwt } from './jwt.js';
import {
  ServiceAccountKeyError,
  generateSigningKey,
  keyId,
  parseSigningKey,
  parseVerificationKeys,
  type SigningKey,
} from './service-account-keys.js';
import {
  ServiceAccountTokenAuthenticator,
  type ServiceAccountTokenGetter,
  type TokenVerdict,
} from './service-account-token-authenticator.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokenSigner,
  type ServiceAccountTokenClaims,
} from './service-account-token-signer.js';

const ISSUER = DEFAULT_SERVICE_ACCOUNT_ISSUER;
const T0 = new Date('2025-03-01T12:00:00Z');

const account: ServiceAccount = {
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'robot', namespace: 'team-a', uid: 'sa-uid' },
};
const boundPod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team-a', uid: 'pod-uid' },
  spec: { nodeName: 'worker-1', containers: [{ name: 'c' }] },
};

interface World {
  accounts: ServiceAccount[];
  pods: Pod[];
}

function getter(world: World): ServiceAccountTokenGetter {
  const find = <T extends ServiceAccount | Pod>(list: T[], ns: string, name: string) =>
    list.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
  return {
    getServiceAccount: async (ns, name) => find(world.accounts, ns, name),
    getPod: async (ns, name) => find(world.pods, ns, name),
  };
}

function claims(over: Partial<ServiceAccountTokenClaims> = {}): ServiceAccountTokenClaims {
  return {
    namespace: 'team-a',
    serviceAccount: { name: 'robot', uid: 'sa-uid' },
    pod: { name: 'web', uid: 'pod-uid' },
    audiences: [ISSUER],
    issuedAt: T0,
    expirationSeconds: 600,
    ...over,
  };
}

describe('service account tokens', () => {
  const key = generateSigningKey();
  const signer = new ServiceAccountTokenSigner(ISSUER, key);
  let now = T0;
  let world: World;
  const authenticator = (over: { key?: SigningKey; audiences?: string[] } = {}) =>
    new ServiceAccountTokenAuthenticator({
      issuers: [ISSUER],
      keys: [{ kid: (over.key ?? key).kid, publicKey: (over.key ?? key).publicKey }],
      audiences: over.audiences ?? [ISSUER],
      getter: getter(world),
      clock: { now: () => now },
    });
  const judge = (token: string, over?: Parameters<typeof authenticator>[0]): Promise<TokenVerdict> =>
    authenticator(over).authenticate(token);

  beforeEach(() => {
    now = T0;
    world = { accounts: [account], pods: [boundPod] };
  });

  it("signs kube-apiserver's claims into an RS256 JWT whose kid is the key's", () => {
    const jwt = decodeJwt(signer.sign(claims({ node: { name: 'worker-1', uid: 'node-uid' } })))!;
    expect(jwt.header).to.deep.equal({ alg: 'RS256', kid: key.kid });
    const { jti, ...rest } = jwt.payload;
    expect(jti).to.match(/^[0-9a-f-]{36}$/);
    const iat = T0.getTime() / 1000;
    expect(rest).to.deep.equal({
      aud: [ISSUER],
      exp: iat + 600,
      iat,
      iss: ISSUER,
      'kubernetes.io': {
        namespace: 'team-a',
        serviceaccount: { name: 'robot', uid: 'sa-uid' },
        pod: { name: 'web', uid: 'pod-uid' },
        node: { name: 'worker-1', uid: 'node-uid' },
      },
      nbf: iat,
      sub: 'system:serviceaccount:team-a:robot',
    });
  });

  it('authenticates a valid token as the service account, in the service account groups', async () => {
    expect(await judge(signer.sign(claims()))).to.deep.equal({
      user: {
        username: 'system:serviceaccount:team-a:robot',
        uid: 'sa-uid',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
      },
    });
  });

  it('leaves tokens that are no JWT of its issuers to others', async () => {
    expect(await judge('0123456789abcdef')).to.equal(undefined);
    const foreign = new ServiceAccountTokenSigner('https://elsewhere.example', key);
    expect(await judge(foreign.sign(claims()))).to.equal(undefined);
  });

  it('refuses a token signed by another key, or altered after signing', async () => {
    const other = new ServiceAccountTokenSigner(ISSUER, generateSigningKey());
    expect(await judge(other.sign(claims()))).to.deep.equal({ refused: 'invalid signature' });
    const [header, payload, signature] = signer.sign(claims()).split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    forged.sub = 'system:serviceaccount:kube-system:admin';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    expect(await judge(tampered)).to.deep.equal({ refused: 'invalid signature' });
    const unsigned = signJwt({ iss: ISSUER }, key.privateKey, key.kid).replace(/^[^.]+/, () =>
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
    );
    expect(await judge(unsigned)).to.deep.equal({ refused: 'invalid signature' });
  });

  it('refuses an expired token once the minute of leeway has passed', async () => {
    const token = signer.sign(claims());
    now = new Date(T0.getTime() + 650_000);
    expect(await judge(token)).to.have.property('user');
    now = new Date(T0.getTime() + 661_000);
    expect(await judge(token)).to.deep.equal({ refused: 'service account token has expired' });
  });

  it('refuses a token issued more than a minute in the future', async () => {
    const token = signer.sign(claims({ issuedAt: new Date(T0.getTime() + 120_000) }));
    expect(await judge(token)).to.deep.equal({ refused: 'service account token is not valid yet' });
  });

  it('refuses a token for other audiences, and takes one without audiences to be for this apiserver', async () => {
    const token = signer.sign(claims({ audiences: ['vault'] }));
    expect(await judge(token)).to.deep.equal({
      refused: `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]`,
    });
    expect(await judge(token, { audiences: [ISSUER, 'vault'] })).to.have.property('user');
    expect(await judge(signer.sign(claims({ audiences: [] })))).to.have.property('user');
  });

  it('refuses a token whose bound pod is gone, was replaced, or was deleted more than a minute ago', async () => {
    const token = signer.sign(claims());
    world.pods = [];
    expect(await judge(token)).to.deep.equal({ refused: 'pods "web" not found' });
    world.pods = [{ ...boundPod, metadata: { ...boundPod.metadata, uid: 'new-uid' } }];
    expect(await judge(token)).to.deep.equal({ refused: 'pod UID (new-uid) does not match claim (pod-uid)' });
    const deleting = (seconds: number): Pod => ({
      ...boundPod,
      metadata: {
        ...boundPod.metadata,
        deletionTimestamp: new Date(T0.getTime() - seconds * 1000).toISOString(),
      },
    });
    world.pods = [deleting(30)];
    expect(await judge(token)).to.have.property('user');
    world.pods = [deleting(90)];
    expect(await judge(token)).to.deep.equal({ refused: 'pod team-a/web has been deleted' });
  });

  it('refuses a token whose service account is gone or was recreated', async () => {
    const token = signer.sign(claims());
    world.accounts = [];
    expect(await judge(token)).to.deep.equal({ refused: 'serviceaccounts "robot" not found' });
    world.accounts = [{ ...account, metadata: { ...account.metadata, uid: 'other' } }];
    expect(await judge(token)).to.deep.equal({
      refused: 'service account UID (other) does not match claim (sa-uid)',
    });
  });

  it('accepts a token signed with any of several verification keys, as apiservers of one cluster share them', async () => {
    const old = generateSigningKey();
    const both = new ServiceAccountTokenAuthenticator({
      issuers: [ISSUER],
      keys: [
        { kid: key.kid, publicKey: key.publicKey },
        { kid: old.kid, publicKey: old.publicKey },
      ],
      audiences: [ISSUER],
      getter: getter(world),
      clock: { now: () => now },
    });
    expect(
      await both.authenticate(new ServiceAccountTokenSigner(ISSUER, old).sign(claims())),
    ).to.have.property('user');
  });
});

describe('service account keys', () => {
  it('reads the public keys of a PEM file of public keys, private keys and certificates, each with its kid', () => {
    const a = createServiceAccountKeyPair();
    const b = createServiceAccountKeyPair();
    // An RSA certificate (made with openssl): the cluster's own CAs are ECDSA, so no signer of tokens.
    const certPem = readFileSync(new URL('testdata/rsa-certificate.pem', import.meta.url), 'utf8');
    const keys = parseVerificationKeys([a.publicKeyPem, b.privateKeyPem, certPem].join('\n'), 'keys.pem');
    expect(keys).to.have.length(3);
    expect(keys[0]!.kid).to.equal(parseSigningKey(a.privateKeyPem, 'a').kid);
    expect(keys[1]!.kid).to.equal(parseSigningKey(b.privateKeyPem, 'b').kid);
    expect(keys[2]!.kid).to.equal(keyId(new X509Certificate(certPem).publicKey));
    expect(keys[0]!.kid).to.match(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a file without keys, and keys that are not RSA, naming the file', () => {
    expect(() => parseVerificationKeys('nothing here', 'empty.pem')).to.throw(
      ServiceAccountKeyError,
      'empty.pem: holds no PEM public key, private key or certificate',
    );
    expect(() => parseSigningKey(createServiceAccountKeyPair().publicKeyPem, 'pub.pem')).to.throw(
      'pub.pem: holds no PEM private key',
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(() => parseVerificationKeys(String(ec), 'ec.pem')).to.throw(
      'ec.pem: holds a key of type ec; service account tokens are RS256, so keys must be RSA',
    );
    expect(() => parseVerificationKeys(createCertificateAuthority('cluster').certPem, 'ca.crt')).to.throw(
      'ca.crt: holds a key of type ec',
    );
  });
});
