/**
 * Bound service account tokens, signed as kube-apiserver signs them: RS256 JWTs with the claims of
 * Kubernetes' pkg/serviceaccount (iss, sub, aud, exp, iat, nbf, jti and the private `kubernetes.io`
 * claim naming the namespace, the service account and the object the token is bound to).
 */
import { randomUUID } from 'node:crypto';
import { signJwt } from './jwt.js';
import type { SigningKey } from './service-account-keys.js';
import { serviceAccountUsername } from './user-info.js';

/** The issuer kubeadm gives a cluster's apiservers (`--service-account-issuer`), crucible's default. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** A name and uid, as the `kubernetes.io` claim refers to objects. */
export interface ObjectRef {
  name: string;
  uid: string;
}

/** What a token says: whose it is, what it is bound to, for whom and for how long. */
export interface ServiceAccountTokenClaims {
  namespace: string;
  serviceAccount: ObjectRef;
  /** The pod the token is bound to: it is valid only while that pod exists. */
  pod?: ObjectRef;
  /** For information only: the node the bound pod runs on. */
  node?: ObjectRef;
  audiences: string[];
  issuedAt: Date;
  expirationSeconds: number;
}

/** Signs tokens as one issuer with one key; every apiserver of a cluster should share both. */
export class ServiceAccountTokenSigner {
  constructor(
    readonly issuer: string,
    private readonly key: SigningKey,
  ) {}

  /** The signed token (a compact JWS). */
  sign(claims: ServiceAccountTokenClaims): string {
    const iat = Math.floor(claims.issuedAt.getTime() / 1000);
    const kubernetes: Record<string, unknown> = {
      namespace: claims.namespace,
      serviceaccount: claims.serviceAccount,
    };
    if (claims.pod) kubernetes.pod = claims.pod;
    if (claims.node) kubernetes.node = claims.node;
    return signJwt(
      {
        aud: claims.audiences,
        exp: iat + claims.expirationSeconds,
        iat,
        iss: this.issuer,
        jti: randomUUID(),
        'kubernetes.io': kubernetes,
        nbf: iat,
        sub: serviceAccountUsername(claims.namespace, claims.serviceAccount.name),
      },
      this.key.privateKey,
      this.key.kid,
    );
  }
}
