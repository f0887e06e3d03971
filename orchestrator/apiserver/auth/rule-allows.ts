/**
 * Whether one RBAC rule grants a request, exactly as Kubernetes' `RuleAllows` and the matchers of
 * pkg/apis/rbac/v1/evaluation_helpers.go decide it.
 */
import type { PolicyRule } from '../../api/types.js';
import type { RequestAttributes } from './request-attributes.js';

const ALL = '*';

/**
 * True when `rule` grants the request. A resource request needs a matching verb, API group, resource
 * and — when the rule lists any — resource name; a rule with resource names therefore never grants a
 * request without a name (list, watch, create, deletecollection). A non-resource request needs a
 * matching verb and URL.
 */
export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (!attrs.resourceRequest) return verbMatches(rule, attrs.verb) && nonResourceUrlMatches(rule, attrs.path);
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return (
    verbMatches(rule, attrs.verb) &&
    apiGroupMatches(rule, attrs.apiGroup) &&
    resourceMatches(rule, combined, attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/**
 * `*` matches every resource and subresource; `pods/log` only that subresource (so `pods` alone does
 * not grant `pods/log`); a star before the slash, as in `*` + `/scale`, matches that subresource of
 * every resource.
 */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some(
    (r) => r === ALL || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** A rule URL ending in `*` matches every path it is a prefix of (without the stars). */
function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === ALL || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))),
  );
}
