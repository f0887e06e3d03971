/**
 * The 403 kube-apiserver answers when authorization denies a request, reproduced to the character so
 * that kubectl output and client error handling look the same against crucible.
 */
import { ApiError, qualifiedResource } from '../../api/errors.js';
import type { StatusDetails } from '../../api/types.js';
import { goQuote } from './go-quote.js';
import type { RequestAttributes } from './request-attributes.js';

// kube-apiserver escapes these so that a denial can never be rendered as HTML; quotes stay.
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function denial(attrs: RequestAttributes): string {
  const user = goQuote(attrs.user.username);
  if (!attrs.resourceRequest) return `User ${user} cannot ${attrs.verb} path ${goQuote(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const what = `User ${user} cannot ${attrs.verb} resource ${goQuote(resource)} in API group ${goQuote(attrs.apiGroup)}`;
  return attrs.namespace
    ? `${what} in the namespace ${goQuote(attrs.namespace)}`
    : `${what} at the cluster scope`;
}

/**
 * kube-apiserver's Forbidden message for `attrs`, e.g.
 * `deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group
 * "apps" in the namespace "team-b"`, or `forbidden: User "alice" cannot get path "/metrics"` for a
 * non-resource URL. A non-empty `reason` (the decision's `forbiddenReason`) is appended after `: `,
 * as kube-apiserver appends its authorizer's reason.
 */
export function forbiddenMessage(attrs: RequestAttributes, reason = ''): string {
  const detail = reason ? `${sanitize(denial(attrs))}: ${reason}` : sanitize(denial(attrs));
  if (!attrs.resourceRequest || (attrs.resource === '' && attrs.apiGroup === ''))
    return `forbidden: ${detail}`;
  const subject = qualifiedResource(attrs.resource, attrs.apiGroup);
  return attrs.name
    ? `${subject} ${goQuote(attrs.name)} is forbidden: ${detail}`
    : `${subject} is forbidden: ${detail}`;
}

/**
 * The `ApiError` (reason Forbidden, 403) to answer a denied request with: `forbiddenMessage` as its
 * message and, like kube-apiserver's Status, the group, resource (as `kind`) and name as details.
 */
export function forbiddenError(attrs: RequestAttributes, reason = ''): ApiError {
  const details: StatusDetails = {};
  if (attrs.resourceRequest) {
    if (attrs.name) details.name = attrs.name;
    if (attrs.apiGroup) details.group = attrs.apiGroup;
    if (attrs.resource) details.kind = attrs.resource;
  }
  return new ApiError('Forbidden', forbiddenMessage(attrs, reason), details);
}
