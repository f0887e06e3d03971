/**
 * Authentication (client certificates, static bearer tokens, service account tokens) and authorization (the Node
 * authorizer, RBAC, their union) for the apiserver: pure decisions over data; the lookups they need
 * are interfaces the apiserver implements, and the only I/O here is `loadTokenFile`.
 */
export {
  ANONYMOUS_USERNAME,
  SYSTEM_AUTHENTICATED,
  SYSTEM_MASTERS,
  SYSTEM_NODES,
  SYSTEM_SERVICE_ACCOUNTS,
  SYSTEM_UNAUTHENTICATED,
  anonymousUser,
  serviceAccountUsername,
  withAuthenticatedGroup,
  type UserInfo,
} from './user-info.js';
export { nodeIdentity, nodeUsername } from './node-identity.js';
export { bearerToken } from './bearer-token.js';
export { TokenFileError, loadTokenFile, parseTokenFile, type TokenFileProblem } from './token-file.js';
export { TokenAuthenticator } from './token-authenticator.js';
export {
  authenticateClientCertificate,
  type ClientCertificateVerdict,
} from './client-certificate-authenticator.js';
export {
  ServiceAccountKeyError,
  generateSigningKey,
  keyId,
  parseSigningKey,
  parseVerificationKeys,
  type SigningKey,
  type VerificationKey,
} from './service-account-keys.js';
export {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokenSigner,
  type ObjectRef,
  type ServiceAccountTokenClaims,
} from './service-account-token-signer.js';
export {
  ServiceAccountTokenAuthenticator,
  TOKEN_LEEWAY_SECONDS,
  type ServiceAccountTokenAuthenticatorOptions,
  type ServiceAccountTokenGetter,
  type TokenVerdict,
} from './service-account-token-authenticator.js';
export { nonResourceAttributes, type RequestAttributes } from './request-attributes.js';
export { ruleAllows } from './rule-allows.js';
export {
  AlwaysAllowAuthorizer,
  UnionAuthorizer,
  type AuthorizationDecision,
  type Authorizer,
} from './authorizer.js';
export { RbacAuthorizer, type RbacSource } from './rbac-authorizer.js';
export { NODE_LEASE_NAMESPACE, NodeAuthorizer, type NodeGraph } from './node-authorizer.js';
export { forbiddenError, forbiddenMessage } from './forbidden-message.js';
export { StaticRbacSource, type RbacObjects } from './static-rbac-source.js';
export {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_LABEL,
  COMPONENT_USERS,
  SCHEDULER_LEASE_NAME,
  SIMULATED_NODE_LEASES_ROLE,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
} from './bootstrap-policy.js';
