/**
 * The version a request is served in when it differs from the stored one: kube-apiserver decodes a
 * body of any served version to the stored one and encodes what it answers in the version asked
 * for. crucible stores one version per resource (the catalogue's) and converts only where a
 * client needs an older one: autoscaling/v1 HorizontalPodAutoscalers, which `kubectl autoscale`
 * 1.32 creates.
 */
import {
  horizontalPodAutoscalerFromV1,
  horizontalPodAutoscalerToV1,
} from '../api/autoscaling-v1-conversion.js';
import { apiVersionOf, findResource, type ResourceType } from '../api/resources.js';
import type { HorizontalPodAutoscaler, KubeObject } from '../api/types.js';

/** How objects of one resource cross between the request's version and the stored one. */
export interface ServedVersion {
  /** The apiVersion of the request: what bodies must say, and answers say. */
  readonly apiVersion: string;
  /** A decoded request body (checked to be of `apiVersion`) as the stored version. */
  toStorage(body: Partial<KubeObject>): Partial<KubeObject>;
  /** A stored object as the request's version, with apiVersion and kind. */
  fromStorage(stored: KubeObject): KubeObject;
}

/** A version served by conversion: where its URL points and the resource it is stored as. */
interface ConvertedVersion {
  group: string;
  version: string;
  resource: string;
  storage: ResourceType;
  toStorage(body: Partial<KubeObject>): Partial<KubeObject>;
  fromStorage(stored: KubeObject): KubeObject;
}

const CONVERTED_VERSIONS: readonly ConvertedVersion[] = [
  {
    group: 'autoscaling',
    version: 'v1',
    resource: 'horizontalpodautoscalers',
    storage: findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!,
    toStorage: (body) => horizontalPodAutoscalerFromV1(body as never),
    fromStorage: (stored) => horizontalPodAutoscalerToV1(stored as HorizontalPodAutoscaler),
  },
];

function convertedVersion(group: string, version: string, resource: string): ConvertedVersion | undefined {
  return CONVERTED_VERSIONS.find(
    (c) => c.group === group && c.version === version && c.resource === resource,
  );
}

/** The stored resource a converted version's URL addresses (autoscaling/v1 HPAs → autoscaling/v2). */
export function convertedResource(
  group: string,
  version: string,
  resource: string,
): ResourceType | undefined {
  return convertedVersion(group, version, resource)?.storage;
}

/** The older versions of `group` served by conversion (`v1` for autoscaling), for discovery. */
export function convertedVersionsOf(group: string): string[] {
  return [...new Set(CONVERTED_VERSIONS.filter((c) => c.group === group).map((c) => c.version))];
}

/** Every group/version served by conversion (`autoscaling/v1`), for the OpenAPI documents. */
export function convertedGroupVersions(): string[] {
  return [...new Set(CONVERTED_VERSIONS.map((c) => `${c.group}/${c.version}`))];
}

/** The stored resources also served at `groupVersion` by conversion, for discovery. */
export function resourcesConvertedTo(groupVersion: string): ResourceType[] {
  return CONVERTED_VERSIONS.filter((c) => `${c.group}/${c.version}` === groupVersion).map((c) => c.storage);
}

/** The version a request for `r` at `group/version` is served in: the stored one, or a conversion. */
export function servedVersion(r: ResourceType, group: string, version: string): ServedVersion {
  const converted = convertedVersion(group, version, r.resource);
  if (converted && converted.storage === r)
    return {
      apiVersion: `${group}/${version}`,
      toStorage: converted.toStorage,
      fromStorage: converted.fromStorage,
    };
  const apiVersion = apiVersionOf(r);
  return {
    apiVersion,
    toStorage: (body) => body,
    fromStorage: (stored) =>
      stored.kind && stored.apiVersion ? stored : { ...stored, apiVersion, kind: r.kind },
  };
}
