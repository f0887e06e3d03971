import { createHash } from 'node:crypto';
import { RESOURCES, apiVersionOf, type ResourceType } from '../api/resources.js';
import { convertedGroupVersions, resourcesConvertedTo } from './served-version.js';

/**
 * The OpenAPI v3 discovery kubectl reads before it writes: for each group/version, the PATCH
 * operation of every resource tagged with its group/version/kind and its `fieldValidation`
 * query parameter. That tells kubectl the server validates fields itself (it sends
 * `fieldValidation=Strict` and skips client-side schema validation). Schemas of the objects are
 * not published: `kubectl explain` is not supported.
 */
export function openApiV3Root(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersions()) {
    paths[gv.path] = {
      serverRelativeURL: `/openapi/v3/${gv.path}?hash=${hashOf(openApiV3Document(gv.path))}`,
    };
  }
  return { paths };
}

/** The document of one group/version path (`api/v1`, `apis/apps/v1`), or undefined. */
export function openApiV3Document(path: string): Record<string, unknown> | undefined {
  // A version served by conversion (autoscaling/v1) documents the stored resource under its own version.
  const convertedVersion = path.startsWith('apis/') ? path.slice('apis/'.length) : '';
  const converted = resourcesConvertedTo(convertedVersion).map((r) => ({
    ...r,
    version: convertedVersion.slice(convertedVersion.indexOf('/') + 1),
  }));
  const served = [...RESOURCES.filter((r) => pathOf(r) === path), ...converted];
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of served) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const prefix = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
    const query = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
    const writeParams = [query('dryRun'), query('fieldManager'), query('fieldValidation')];
    paths[`${prefix}/{name}`] = {
      get: operation(`read${r.kind}`, gvk, 'get', []),
      put: operation(`replace${r.kind}`, gvk, 'put', writeParams),
      patch: operation(`patch${r.kind}`, gvk, 'patch', [...writeParams, query('force')]),
      delete: operation(`delete${r.kind}`, gvk, 'delete', [query('dryRun')]),
    };
    paths[prefix] = {
      get: operation(`list${r.kind}`, gvk, 'list', []),
      post: operation(`create${r.kind}`, gvk, 'post', writeParams),
    };
  }
  return { openapi: '3.0.0', info: { title: 'crucible', version: 'v1.32.0' }, paths, components: {} };
}

function operation(operationId: string, gvk: object, action: string, parameters: unknown[]) {
  return {
    operationId,
    parameters,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

function servedGroupVersions(): { path: string }[] {
  const converted = convertedGroupVersions().map((gv) => `apis/${gv}`);
  return [...new Set([...RESOURCES.map(pathOf), ...converted])].map((path) => ({ path }));
}

function pathOf(r: ResourceType): string {
  return r.group ? `apis/${apiVersionOf(r)}` : `api/${r.version}`;
}

function hashOf(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase();
}
