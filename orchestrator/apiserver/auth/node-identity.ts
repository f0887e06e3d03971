import { SYSTEM_NODES, type UserInfo } from './user-info.js';

const NODE_USER_PREFIX = 'system:node:';

/** The user name a kubelet authenticates as: `system:node:<node name>`, in group `system:nodes`. */
export function nodeUsername(nodeName: string): string {
  return `${NODE_USER_PREFIX}${nodeName}`;
}

/**
 * Which node a user is, as Kubernetes' default NodeIdentifier decides it: a user named
 * `system:node:<name>` in group `system:nodes` is node `<name>`; anyone else is no node
 * (undefined). A member of `system:nodes` named `system:node:` is a node whose name is unknown
 * (`''`), which the Node authorizer and NodeRestriction refuse everything.
 */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!user.groups.includes(SYSTEM_NODES)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}
