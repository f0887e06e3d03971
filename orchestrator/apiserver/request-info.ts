import { findResource, type ResourceType } from '../api/resources.js';
import { errors } from '../api/errors.js';
import { boolParam } from './bool-param.js';
import { convertedResource } from './served-version.js';

/**
 * What a request addresses, decoded from its path and method as kube-apiserver's
 * RequestInfoFactory does. Authorization and dispatch both read this.
 */
export interface ResourceRequestInfo {
  kind: 'resource';
  verb: string;
  group: string;
  version: string;
  /** The URL's resource segment, e.g. `pods`. */
  resourceName: string;
  resource?: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
  /** The `fieldSelector` query parameter as given (`''` when none). */
  fieldSelector: string;
}

export interface NonResourceRequestInfo {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const parts = path.split('/').filter((p) => p !== '');
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'nonResource', verb: method.toLowerCase(), path };
  }

  let namespace = '';
  // `/namespaces/{ns}/{resource}…` addresses a namespaced resource; `/namespaces/{name}` and
  // `/namespaces/{name}/status|finalize` address the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = decodeURIComponent(rest[1]!);
    rest = rest.slice(2);
  }
  const resourceName = rest[0]!;
  const name = rest[1] !== undefined ? decodeURIComponent(rest[1]) : '';
  const subresource = rest[2] ?? '';
  // Only a proxy subresource goes on: `nodes/{name}/proxy/{path...}` addresses a path behind it.
  if (rest.length > 3 && subresource !== 'proxy') throw errors.notFound(resourceName, group, path);

  const watching = boolParam(url.searchParams, 'watch');
  let verb = methodVerbs[method] ?? method.toLowerCase();
  if (verb === 'get' && !name) verb = watching ? 'watch' : 'list';
  else if (verb === 'get' && watching) verb = 'watch';
  if (verb === 'delete' && !name) verb = 'deletecollection';

  return {
    kind: 'resource',
    verb,
    group,
    version,
    resourceName,
    resource: findResource(group, version, resourceName) ?? convertedResource(group, version, resourceName),
    subresource,
    namespace,
    name,
    path,
    fieldSelector: url.searchParams.get('fieldSelector') ?? '',
  };
}
