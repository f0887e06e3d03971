import { expect } from 'chai';
import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { type RequestOptions, type ServerOptions, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  type KeyPair,
  certificateSerial,
  createCertificateAuthority,
  issueClientCertificate,
  issuePeerCertificate,
  issueServingCertificate,
} from './pki.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * An HTTPS server on a free loopback port that asks for a client certificate signed by `ca` and
 * answers with the common name of a certificate it verified, or why it did not verify one; `get`
 * answers its body, or the error that ended the request.
 */
async function withServer(
  options: ServerOptions,
  test: (get: (client: RequestOptions) => Promise<string>) => Promise<void>,
): Promise<void> {
  const server = createServer({ ...options, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    res.end(
      socket.authorized
        ? socket.getPeerCertificate().subject.CN
        : `refused: ${String(socket.authorizationError)}`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const get = (client: RequestOptions) =>
    new Promise<string>((resolve) => {
      request({ host: '127.0.0.1', port, agent: false, ...client }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      })
        .on('error', (e) => resolve(`error: ${e.message}`))
        .end();
    });
  try {
    await test(get);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const asClient = (pair: KeyPair) => ({ cert: pair.certPem, key: pair.keyPem });

describe('pki', () => {
  it('issues a serving certificate that a client trusting only the CA accepts', async () => {
    const ca = createCertificateAuthority('crucible-ca');
    const serving = issueServingCertificate(ca, {
      commonName: 'apiserver',
      hosts: ['127.0.0.1', 'localhost', 'apiserver-0'],
    });
    const x509 = new X509Certificate(serving.certPem);
    expect(x509.checkIssued(new X509Certificate(ca.certPem))).to.equal(true);
    expect(x509.subjectAltName).to.include('IP Address:127.0.0.1').and.include('DNS:apiserver-0');
    const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) =>
      res.end('hello'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, ca: ca.certPem }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(body).to.equal('hello');
      const untrusted = await new Promise<string>((resolve) => {
        request({ host: '127.0.0.1', port }, () => resolve('accepted'))
          .on('error', (e) => resolve(e.message))
          .end();
      });
      expect(untrusted).to.match(/self.signed|unable to verify|certificate/i);
    } finally {
      server.close();
    }
  });

  it('draws serial numbers that encode as positive DER integers without a padding byte', () => {
    // 00 00 05…: the random bytes that made the old '0' + hex serial encode as 00 05…, which
    // OpenSSL refuses ("illegal padding").
    for (const random of [
      Buffer.alloc(16),
      Buffer.from('0005' + 'ab'.repeat(14), 'hex'),
      Buffer.alloc(16, 0xff),
    ]) {
      const serial = certificateSerial(random);
      expect(serial).to.have.length(32);
      const first = parseInt(serial.slice(0, 2), 16);
      expect(first, serial).to.be.within(0x40, 0x7f);
      expect(serial.slice(2)).to.equal(random.subarray(1).toString('hex'));
    }
  });

  it('issues client certificates (clientAuth only) that a server requiring certificates from the CA admits', async () => {
    const etcdCa = createCertificateAuthority('etcd-ca');
    const client = issueClientCertificate(etcdCa, { commonName: 'kube-apiserver-etcd-client' });
    const x509 = new X509Certificate(client.certPem);
    expect(x509.checkIssued(new X509Certificate(etcdCa.certPem))).to.equal(true);
    expect(x509.keyUsage).to.deep.equal([CLIENT_AUTH]);
    expect(x509.subjectAltName).to.equal(undefined);
    expect(x509.subject).to.equal('CN=kube-apiserver-etcd-client');
    const serving = issueServingCertificate(etcdCa, { commonName: 'etcd', hosts: ['127.0.0.1'] });
    const otherCa = createCertificateAuthority('other-ca');
    const stranger = issueClientCertificate(otherCa, { commonName: 'stranger' });
    await withServer({ ...asClient(serving), ca: etcdCa.certPem }, async (get) => {
      const trusting = { ca: etcdCa.certPem };
      expect(await get({ ...trusting, ...asClient(client) })).to.equal('kube-apiserver-etcd-client');
      expect(await get(trusting), 'no certificate').to.equal('refused: UNABLE_TO_GET_ISSUER_CERT');
      expect(await get({ ...trusting, ...asClient(stranger) }), 'another CA').to.equal(
        'refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      );
      // A serving certificate (serverAuth only) is no client certificate, even from the right CA.
      expect(await get({ ...trusting, ...asClient(serving) }), 'a serving certificate').to.equal(
        'refused: INVALID_PURPOSE',
      );
    });
    // And a client certificate serves no one.
    await withServer(asClient(client), async (get) => {
      expect(await get({ ca: etcdCa.certPem })).to.equal('error: unsuitable certificate purpose');
    });
  });

  it('issues peer certificates (serverAuth and clientAuth) that serve their names and are admitted as clients', async () => {
    const etcdCa = createCertificateAuthority('etcd-ca');
    const [peer0, peer1] = ['etcd-0', 'etcd-1'].map((name) =>
      issuePeerCertificate(etcdCa, { commonName: name, hosts: [name, 'localhost', '127.0.0.1'] }),
    );
    const x509 = new X509Certificate(peer0!.certPem);
    expect(x509.keyUsage).to.have.members([SERVER_AUTH, CLIENT_AUTH]);
    expect(x509.subjectAltName).to.include('DNS:etcd-0').and.include('IP Address:127.0.0.1');
    await withServer({ ...asClient(peer0!), ca: etcdCa.certPem }, async (get) => {
      expect(await get({ ca: etcdCa.certPem, ...asClient(peer1!) })).to.equal('etcd-1');
      expect(await get({ ca: etcdCa.certPem, ...asClient(peer0!), servername: 'etcd-1' })).to.match(
        /^error: Hostname\/IP does not match certificate's altnames: Host: etcd-1/,
      );
    });
  });

  it('issues ECDSA P-256 certificates: a CA that may sign, leaves that may not, each verified by its issuer', () => {
    const ca = createCertificateAuthority('crucible-ca');
    const caX509 = new X509Certificate(ca.certPem);
    expect(caX509.ca).to.equal(true);
    expect(caX509.verify(caX509.publicKey), 'self-signed').to.equal(true);
    expect(caX509.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    const client = issueClientCertificate(ca, { commonName: 'alice', organizations: ['dev', 'ops'] });
    const x509 = new X509Certificate(client.certPem);
    expect(x509.ca).to.equal(false);
    expect(x509.verify(caX509.publicKey)).to.equal(true);
    expect(
      x509.verify(new X509Certificate(createCertificateAuthority('crucible-ca').certPem).publicKey),
    ).to.equal(false);
    // The groups an apiserver reads from the subject, in order, and the issuer byte for byte.
    expect(x509.subject).to.equal('O=dev\nO=ops\nCN=alice');
    expect(x509.issuer).to.equal(caX509.subject);
    expect(x509.publicKey.equals(createPublicKey(client.keyPem))).to.equal(true);
  });

  it('encodes a validity past 2049 as GeneralizedTime, as RFC 5280 asks', () => {
    const ca = createCertificateAuthority('long-lived', 365 * 40);
    const x509 = new X509Certificate(ca.certPem);
    expect(new Date(x509.validTo).getUTCFullYear()).to.be.greaterThan(2049);
    expect(x509.verify(x509.publicKey)).to.equal(true);
  });

  it('refuses to sign with a CA key that is not P-256, rather than write a certificate no one verifies', () => {
    const ca = createCertificateAuthority('crucible-ca');
    const rsaKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const rsaCa = { certPem: ca.certPem, keyPem: rsaKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    expect(() => issueClientCertificate(rsaCa, { commonName: 'alice' })).to.throw(
      'certificates are signed with P-256 keys, not rsa keys',
    );
  });
});
