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

export interface ClientCertificateRequest {
  /** Who the client is, as a server that names its clients by certificate sees it. */
  commonName: string;
  /** The subject's organizations: a Kubernetes apiserver takes them as the user's groups. */
  organizations?: string[];
  validDays?: number;
}

/** What a certificate is for, and for whom: the subject, the names it serves, its extended key usages. */
interface CertificateRequest extends ClientCertificateRequest {
  hosts?: string[];
  usages: { serverAuth?: boolean; clientAuth?: boolean };
}

/**
 * A certificate authority, as kubeadm and kind make one: the cluster's signs the apiserver's
 * serving certificate, and clients trust it through the kubeconfig's certificate-authority-data;
 * etcd's (a separate one) signs its members' and its clients' certificates.
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
  return issueCertificate(ca, { ...req, usages: { serverAuth: true } });
}

/**
 * A TLS client certificate (clientAuth only, no subject alternative names), signed by `ca`, as
 * kubeadm's apiserver-etcd-client: a server requiring client certificates from `ca` admits it, and
 * it serves no one.
 */
export function issueClientCertificate(ca: KeyPair, req: ClientCertificateRequest): KeyPair {
  return issueCertificate(ca, { ...req, usages: { clientAuth: true } });
}

/**
 * A certificate for both ends of a connection (serverAuth and clientAuth) for `hosts`, signed by
 * `ca`, as kubeadm's etcd peer and server certificates: an etcd member serves its peers with it
 * and presents it when it dials them.
 */
export function issuePeerCertificate(ca: KeyPair, req: ServingCertificateRequest): KeyPair {
  return issueCertificate(ca, { ...req, usages: { serverAuth: true, clientAuth: true } });
}

function issueCertificate(ca: KeyPair, req: CertificateRequest): KeyPair {
  const hosts = [...new Set(req.hosts ?? [])];
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { publicKey, privateKey } = rsaKeyPair();
  const cert = baseCertificate(publicKey, req.commonName, req.validDays ?? 365, req.organizations);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', ...req.usages },
    ...(hosts.length
      ? [
          {
            name: 'subjectAltName',
            altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
          },
        ]
      : []),
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
  organizations: readonly string[] = [],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = certificateSerial(randomBytes(16));
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + validDays * 86_400_000);
  cert.setSubject([
    ...organizations.map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: commonName },
  ]);
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
