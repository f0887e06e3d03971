/**
 * Who made a request, as the authenticators establish it and the authorizers read it. The names of
 * the well-known users and groups are Kubernetes', so bindings written for Kubernetes mean the same
 * thing here.
 */

/** An authenticated (or anonymous) identity: Kubernetes' `user.Info` without `extra`. */
export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
}

/** Every user who presented valid credentials is in this group. */
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
/** Requests without credentials, when the apiserver lets them through as anonymous. */
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
/** Members are allowed everything, whatever RBAC objects exist (kube-apiserver's superuser group). */
export const SYSTEM_MASTERS = 'system:masters';
/** The group kubelets authenticate into. */
export const SYSTEM_NODES = 'system:nodes';
/** Every service account is in this group, and in `system:serviceaccounts:<namespace>`. */
export const SYSTEM_SERVICE_ACCOUNTS = 'system:serviceaccounts';
/** The user name kube-apiserver gives an anonymous request. */
export const ANONYMOUS_USERNAME = 'system:anonymous';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The anonymous identity, for callers that admit requests without an `Authorization` header. */
export function anonymousUser(): UserInfo {
  return { username: ANONYMOUS_USERNAME, uid: '', groups: [SYSTEM_UNAUTHENTICATED] };
}

/** The user name a service account authenticates as: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/**
 * A copy of `user` whose groups include `system:authenticated` exactly once, as kube-apiserver's
 * authentication chain guarantees for every authenticated request.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = [...new Set(user.groups)];
  if (!groups.includes(SYSTEM_AUTHENTICATED)) groups.push(SYSTEM_AUTHENTICATED);
  return { username: user.username, uid: user.uid, groups };
}
