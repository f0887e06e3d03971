/**
 * What every authorization mode answers, and kube-apiserver's union of the modes given to
 * `--authorization-mode` (e.g. `Node,RBAC`): asked in order, the first that allows decides.
 */
import type { RequestAttributes } from './request-attributes.js';

/**
 * An authorization decision. `reason` says, for logs and audit, what allowed the request or why
 * nothing did. `forbiddenReason` is what kube-apiserver appends to its 403 message (and answers as
 * a SelfSubjectAccessReview's reason) when the request is not allowed: RBAC's errors resolving
 * roles, the Node authorizer's reason for not allowing; pass it to `forbiddenError`.
 */
export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
  forbiddenReason?: string;
}

/** One authorization mode. `authorize` never rejects: a failure to decide is a denial with a reason. */
export interface Authorizer {
  authorize(attrs: RequestAttributes): Promise<AuthorizationDecision>;
}

/** `--authorization-mode=AlwaysAllow`: every request, from anyone. */
export class AlwaysAllowAuthorizer implements Authorizer {
  async authorize(): Promise<AuthorizationDecision> {
    return { allowed: true, reason: 'AlwaysAllow' };
  }
}

/**
 * Kubernetes' union authorizer: asks each mode in order and returns the first that allows. When
 * none does, the reasons of those that gave one are joined by newlines, as kube-apiserver joins
 * them into its 403 message.
 */
export class UnionAuthorizer implements Authorizer {
  constructor(private readonly modes: readonly Authorizer[]) {}

  async authorize(attrs: RequestAttributes): Promise<AuthorizationDecision> {
    const reasons: string[] = [];
    const forbiddenReasons: string[] = [];
    for (const mode of this.modes) {
      const decision = await mode.authorize(attrs);
      if (decision.allowed) return decision;
      if (decision.reason) reasons.push(decision.reason);
      if (decision.forbiddenReason) forbiddenReasons.push(decision.forbiddenReason);
    }
    const denied: AuthorizationDecision = { allowed: false, reason: reasons.join('\n') };
    if (forbiddenReasons.length > 0) denied.forbiddenReason = forbiddenReasons.join('\n');
    return denied;
  }
}
