import type { PeerCertificate, TLSSocket } from 'node:tls';
import { withAuthenticatedGroup, type UserInfo } from './user-info.js';

/**
 * What the client certificate of a connection says: no certificate (or one without a common
 * name) leaves it to the other authenticators; a certificate the client CA did not sign is
 * refused, with the reason; a valid one is a user.
 */
export type ClientCertificateVerdict = { user: UserInfo } | { refused: string } | undefined;

/**
 * kube-apiserver's x509 authenticator (`--client-ca-file`): a client certificate signed by the
 * client CA authenticates its subject's common name as the user and its organizations as the
 * groups, with `system:authenticated` added, as kind's and kubeadm's admin certificate (O =
 * system:masters) expects. The TLS handshake asked for the certificate and verified it against the
 * CA (without refusing the connection, so that clients without one may still present a token);
 * this reads the outcome from the socket.
 */
export function authenticateClientCertificate(socket: TLSSocket): ClientCertificateVerdict {
  const cert = socket.getPeerCertificate?.() as PeerCertificate | Record<string, never> | undefined;
  if (!cert || !('subject' in cert) || !cert.subject) return undefined;
  if (!socket.authorized)
    return { refused: `x509: ${socket.authorizationError?.message ?? String(socket.authorizationError)}` };
  const username = firstValue(cert.subject.CN);
  if (!username) return undefined;
  return { user: withAuthenticatedGroup({ username, uid: '', groups: allValues(cert.subject.O) }) };
}

// Node gives a repeated subject attribute as an array, a single one as a string.
function allValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return allValues(value)[0];
}
