import type { FieldRequirement } from '../../api/selectors/index.js';
import type { UserInfo } from './user-info.js';

/**
 * What an authorizer decides on: Kubernetes' `authorizer.Attributes`, filled in by the apiserver from
 * the request URL and method.
 *
 * - `resourceRequest` is true for `/api/...` and `/apis/...` resource URLs; then `verb` is one of
 *   get, list, watch, create, update, patch, delete, deletecollection, and `apiGroup` (`''` for
 *   core), `resource` (plural), `subresource` (`''` when none), `namespace` (`''` when the request
 *   is cluster-scoped or spans all namespaces) and `name` (`''` for list, watch of a collection and
 *   create) describe the target. A list or watch whose field selector pins `metadata.name` carries
 *   that name, as kube-apiserver's RequestInfoFactory sets it, so a rule with resourceNames can
 *   grant watching one object. `fieldSelector` holds the terms of the request's field selector
 *   when it has one that parses (Kubernetes' `GetFieldSelector`), for authorizers that scope lists.
 * - Otherwise the request is for a non-resource URL: `verb` is the lower-case HTTP method and `path`
 *   the URL path; the resource fields are empty.
 */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  resourceRequest: boolean;
  path: string;
  fieldSelector?: readonly FieldRequirement[];
}

/** The attributes of a request for the non-resource URL `path` (`/healthz`, `/version`). */
export function nonResourceAttributes(user: UserInfo, verb: string, path: string): RequestAttributes {
  return {
    user,
    verb,
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    resourceRequest: false,
    path,
  };
}
