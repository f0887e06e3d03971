/**
 * The JSON bodies of the Toxiproxy API, written member by member in the order toxiproxy-server
 * writes them (its Go structs' field order), so they match the real server byte for byte.
 */
import type { ActiveToxic } from './active-toxic.js';
import type { ToxiproxyApiError } from './api-errors.js';
import {
  marshalArray,
  marshalFloat32,
  marshalInteger,
  marshalObject,
  marshalString,
} from './go-json-marshal.js';
import type { Proxy } from './proxy.js';

/** `{"attributes": {...}, "name", "type", "stream", "toxicity"}` */
export function toxicBody(toxic: ActiveToxic): string {
  const attributes = [...toxic.attributes].map(([name, value]) => [name, marshalInteger(value)] as const);
  return marshalObject([
    ['attributes', marshalObject(attributes)],
    ['name', marshalString(toxic.name)],
    ['type', marshalString(toxic.type)],
    ['stream', marshalString(toxic.stream)],
    ['toxicity', marshalFloat32(toxic.toxicity)],
  ]);
}

export function toxicListBody(toxics: readonly ActiveToxic[]): string {
  return marshalArray(toxics.map(toxicBody));
}

/**
 * `{"name", "listen", "upstream", "enabled", "Logger": {}, "toxics": [...]}`. "Logger" is the real
 * server's exported zerolog field, which Go writes as an empty object; clients ignore it.
 */
export function proxyBody(proxy: Proxy): string {
  return marshalObject([
    ['name', marshalString(proxy.name)],
    ['listen', marshalString(proxy.listen)],
    ['upstream', marshalString(proxy.upstream)],
    ['enabled', String(proxy.enabled)],
    ['Logger', '{}'],
    ['toxics', toxicListBody(proxy.toxics.list())],
  ]);
}

/** GET /proxies: an object keyed by name, the proxies already sorted. */
export function proxyIndexBody(proxies: readonly Proxy[]): string {
  return marshalObject(proxies.map((proxy) => [proxy.name, proxyBody(proxy)] as const));
}

/**
 * POST /populate: `{"proxies": [...]}`, preceded by `error` and `status` when it failed. An empty
 * list is `null`, as Go writes a nil slice.
 */
export function populateBody(error: ToxiproxyApiError | undefined, proxies: readonly Proxy[]): string {
  const list = proxies.length === 0 ? 'null' : marshalArray(proxies.map(proxyBody));
  return marshalObject([...(error ? error.jsonMembers() : []), ['proxies', list]]);
}
