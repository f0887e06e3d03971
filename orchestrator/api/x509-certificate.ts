/**
 * X.509 v3 certificates (RFC 5280) signed with ECDSA P-256 and SHA-256, built as DER with
 * node-forge's ASN.1 encoder and signed by Node's crypto. node-forge's own certificates are RSA
 * only, and an RSA 2048 key takes about 0.35 s of CPU to generate on a slow core: a cluster's
 * seven keys held its boot up by 2.5 s. A P-256 key takes a millisecond. kubeadm can issue
 * ECDSA certificates too (`encryptionAlgorithm: ECDSA-P256`); etcd, kubectl and Node accept them.
 */
import { type KeyObject, createHash, sign } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;
// Both are in node-forge, but not in its type definitions.
const fromDer = asn1.fromDer as unknown as (bytes: string, options: { decodeBitStrings: boolean }) => Asn1;
const bytesFromIP = (forge.util as unknown as { bytesFromIP(ip: string): string }).bytesFromIP;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** The keyUsage bits this project sets (RFC 5280 §4.2.1.3 numbers them from the left). */
const KEY_USAGE_BIT = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;
export type KeyUsage = keyof typeof KEY_USAGE_BIT;

export interface CertificateFields {
  /** Hex of a positive DER integer without padding (see certificateSerial). */
  serialHex: string;
  subject: { commonName: string; organizations?: readonly string[] };
  /** The issuer's certificate (PEM); none for a self-signed one. */
  issuerCertPem?: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  isCa: boolean;
  keyUsage: readonly KeyUsage[];
  extKeyUsage?: { serverAuth?: boolean; clientAuth?: boolean };
  /** Subject alternative names: IP addresses and DNS names. */
  hosts?: readonly string[];
}

/** The certificate as PEM, signed with `signingKey` (the issuer's private key, or the subject's own). */
export function signCertificate(fields: CertificateFields, signingKey: KeyObject): string {
  // The signature algorithm written below is ECDSA's: an RSA issuer (a CA made elsewhere) would
  // produce a certificate no one can verify.
  if (signingKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error(
      `certificates are signed with P-256 keys, not ${signingKey.asymmetricKeyType ?? 'unknown'} keys`,
    );
  const spki = subjectPublicKeyInfo(fields.publicKey);
  const subject = distinguishedName(fields.subject);
  const issuer = fields.issuerCertPem ? subjectOf(fields.issuerCertPem) : subject;
  const tbs = sequence(
    explicit(0, integer(forge.util.hexToBytes('02'))),
    integer(forge.util.hexToBytes(fields.serialHex)),
    sequence(oid(OID.ecdsaWithSha256)),
    issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    subject,
    spki,
    explicit(3, sequence(...extensions(fields))),
  );
  const tbsDer = asn1.toDer(tbs).getBytes();
  const signature = sign('sha256', Buffer.from(tbsDer, 'binary'), signingKey).toString('binary');
  const certificate = sequence(tbs, sequence(oid(OID.ecdsaWithSha256)), bitString(signature));
  return toPem('CERTIFICATE', asn1.toDer(certificate).getBytes());
}

function extensions(fields: CertificateFields): Asn1[] {
  const hosts = [...new Set(fields.hosts ?? [])];
  const usages = fields.extKeyUsage ?? {};
  return [
    extension(OID.basicConstraints, true, fields.isCa ? sequence(boolean(true)) : sequence()),
    extension(OID.keyUsage, true, keyUsageBits(fields.keyUsage)),
    ...(usages.serverAuth || usages.clientAuth
      ? [
          extension(
            OID.extKeyUsage,
            false,
            sequence(
              ...[usages.serverAuth && OID.serverAuth, usages.clientAuth && OID.clientAuth]
                .filter(isString)
                .map(oid),
            ),
          ),
        ]
      : []),
    ...(hosts.length ? [extension(OID.subjectAltName, false, sequence(...hosts.map(generalName)))] : []),
    // RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey bits; CAs MUST carry one.
    extension(OID.subjectKeyIdentifier, false, octetString(sha1(ecPoint(fields.publicKey)))),
  ];
}

function isString(value: string | false | undefined): value is string {
  return typeof value === 'string';
}

/** The subject of a PEM certificate, as the DER it was encoded with: an issuer must match it byte for byte. */
function subjectOf(certPem: string): Asn1 {
  const certificate = fromDer(forge.pem.decode(certPem)[0]!.body, { decodeBitStrings: false });
  const tbs = (certificate.value as Asn1[])[0]!;
  // version [0], serialNumber, signature, issuer, validity, subject
  return (tbs.value as Asn1[])[5]!;
}

function distinguishedName(subject: CertificateFields['subject']): Asn1 {
  const attribute = (type: string, value: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
      sequence(
        oid(type),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value)),
      ),
    ]);
  return sequence(
    ...(subject.organizations ?? []).map((o) => attribute(OID.organizationName, o)),
    attribute(OID.commonName, subject.commonName),
  );
}

function generalName(host: string): Asn1 {
  // iPAddress [7] and dNSName [2], both implicitly tagged (RFC 5280 §4.2.1.6).
  return isIP(host)
    ? asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, bytesFromIP(host))
    : asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, host);
}

/** A named bit string in DER: trailing zero bits dropped, their count in the first byte. */
function keyUsageBits(usages: readonly KeyUsage[]): Asn1 {
  let bits = 0;
  for (const usage of usages) bits |= 0x80 >> KEY_USAGE_BIT[usage];
  if (bits === 0) return bitString('');
  let unused = 0;
  while (((bits >> unused) & 1) === 0) unused++;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(unused, bits));
}

/** A P-256 public key's SubjectPublicKeyInfo (RFC 5480): id-ecPublicKey on prime256v1, the uncompressed point. */
function subjectPublicKeyInfo(publicKey: KeyObject): Asn1 {
  return sequence(sequence(oid(OID.ecPublicKey), oid(OID.prime256v1)), bitString(ecPoint(publicKey)));
}

function ecPoint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256')
    throw new Error(`certificates are issued for P-256 keys, not ${jwk.crv ?? jwk.kty}`);
  return `\x04${Buffer.from(jwk.x!, 'base64url').toString('binary')}${Buffer.from(jwk.y!, 'base64url').toString('binary')}`;
}

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(asn1.toDer(value).getBytes()));
}

function time(date: Date): Asn1 {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

const sequence = (...items: Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const explicit = (tag: number, inner: Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);
const oid = (id: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const integer = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
const boolean = (value: boolean) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, value ? '\xff' : '\x00');
const octetString = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const bitString = (bytes: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${bytes}`);
const sha1 = (bytes: string) => createHash('sha1').update(Buffer.from(bytes, 'binary')).digest('binary');

function toPem(label: string, derBytes: string): string {
  return forge.pem.encode({ type: label, body: derBytes }, { maxline: 64 }).replace(/\r\n/g, '\n');
}
