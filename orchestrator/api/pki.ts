import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A PEM certificate and its PEM private key. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface ServingCertificateRequest {
  commonName: string;
  /** Subject alternative names: IPs and DNS names the server is reached by. */
  hosts: string[];
  validDays?: number;
}

/**
 * A cluster certificate authority, as kubeadm and kind make one: it signs the apiserver's serving
 * certificate, and clients trust it through the kubeconfig's certificate-authority-data.
 */
export function createCertificateAuthority(commonName: string, validDays = 365): KeyPair {
  const { publicKey, privateKey } = rsaKeyPair();
  const cert = baseCertificate(publicKey, commonName, validDays);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(privateKey) };
}

/** A TLS serving certificate for `hosts`, signed by `ca`. */
export function issueServingCertificate(ca: KeyPair, req: ServingCertificateRequest): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { publicKey, privateKey } = rsaKeyPair();
  const cert = baseCertificate(publicKey, req.commonName, req.validDays ?? 365);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...new Set(req.hosts)].map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(privateKey) };
}

/** An RSA key pair as PEM: the private key PKCS#8, the public key SPKI. */
export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * The key pair an apiserver signs service account tokens with, as kubeadm's `sa.key` and
 * `sa.pub`: the private key for `--service-account-signing-key-file`, the public key for
 * `--service-account-key-file` of every apiserver of the cluster.
 */
export function createServiceAccountKeyPair(): SigningKeyPair {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: pair.privateKey, publicKeyPem: pair.publicKey };
}

function baseCertificate(
  publicKey: forge.pki.PublicKey,
  commonName: string,
  validDays: number,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = certificateSerial(randomBytes(16));
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + validDays * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/**
 * A serial number (hex) that DER encodes as a positive integer without padding. The old
 * '0' + 15 random bytes came out as 00 xx… whenever the first random byte was 0 and the next
 * below 0x80 (about 1 in 500), and OpenSSL refused that certificate with "illegal padding".
 * So the first byte is kept in 0x40–0x7f: the top bit clear (positive), never zero (no padding).
 */
export function certificateSerial(random: Buffer): string {
  const bytes = Buffer.from(random);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}

/** Node's native key generation: forge's pure-JS RSA takes seconds, this takes milliseconds. */
function rsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey,
  };
}
