/**
 * Authentication (static bearer tokens) and authorization (RBAC) for the apiserver: pure decisions
 * over data, the only I/O being `loadTokenFile`.
 */
export {
  ANONYMOUS_USERNAME,
  SYSTEM_AUTHENTICATED,
  SYSTEM_MASTERS,
  SYSTEM_NODES,
  SYSTEM_UNAUTHENTICATED,
  anonymousUser,
  serviceAccountUsername,
  withAuthenticatedGroup,
  type UserInfo,
} from './user-info.js';
export { TokenFileError, loadTokenFile, parseTokenFile, type TokenFileProblem } from './token-file.js';
export { TokenAuthenticator } from './token-authenticator.js';
export { nonResourceAttributes, type RequestAttributes } from './request-attributes.js';
export { ruleAllows } from './rule-allows.js';
export { RbacAuthorizer, type AuthorizationDecision, type RbacSource } from './rbac-authorizer.js';
export { forbiddenError, forbiddenMessage } from './forbidden-message.js';
export { StaticRbacSource, type RbacObjects } from './static-rbac-source.js';
export {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_LABEL,
  COMPONENT_USERS,
  SCHEDULER_LEASE_NAME,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
} from './bootstrap-policy.js';
