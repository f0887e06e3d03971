import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { certificateSerial, createCertificateAuthority, issueServingCertificate } from './pki.js';

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
});
