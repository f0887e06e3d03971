import { type KeyObject, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { signCertificate } from './x509-certificate.js';

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
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = signCertificate(
    {
      ...validity(validDays),
      serialHex: certificateSerial(randomBytes(16)),
      subject: { commonName },
      publicKey,
      isCa: true,
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    },
    privateKey,
  );
  return { certPem, keyPem: pkcs8Pem(privateKey) };
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
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = signCertificate(
    {
      ...validity(req.validDays ?? 365),
      serialHex: certificateSerial(randomBytes(16)),
      subject: { commonName: req.commonName, organizations: req.organizations ?? [] },
      issuerCertPem: ca.certPem,
      publicKey,
      isCa: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: req.usages,
      hosts: req.hosts ?? [],
    },
    createPrivateKey(ca.keyPem),
  );
  return { certPem, keyPem: pkcs8Pem(privateKey) };
}

/** Valid from a minute ago (clocks of a cluster's machines drift a little) for `validDays`. */
function validity(validDays: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + validDays * 86_400_000) };
}

function pkcs8Pem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
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
