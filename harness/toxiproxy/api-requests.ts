/**
 * The request bodies of the Toxiproxy API, decoded into the Go types toxiproxy-server decodes them
 * into, with its defaults, so that the same bodies are accepted and the same errors come back.
 */
import type { ActiveToxic } from './active-toxic.js';
import { toxiproxyErrors } from './api-errors.js';
import { GoJsonSyntaxError, readGoJsonValue, type GoJsonValue } from './go-json-scanner.js';
import {
  unmarshalGoStruct,
  unmarshalGoStructSlice,
  type GoField,
  type GoStruct,
  type GoValues,
} from './go-json-unmarshal.js';
import type { ToxicDefinition } from './toxics/index.js';

/** A proxy as a create, update or populate body describes it. */
export interface ProxyFields {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

const str = { kind: 'string' } as const;

// toxiproxy.Proxy's JSON fields; Logger is its exported *zerolog.Logger.
const proxyFields: readonly GoField[] = [
  { json: 'name', type: str },
  { json: 'listen', type: str },
  { json: 'upstream', type: str },
  { json: 'Logger', type: { kind: 'opaque', name: 'zerolog.Logger' } },
];

const proxyStruct: GoStruct = {
  name: 'Proxy',
  typeString: 'toxiproxy.Proxy',
  fields: [...proxyFields, { json: 'enabled', type: { kind: 'bool' } }],
};

// /populate decodes into []struct{ Proxy; Enabled *bool }, so an absent `enabled` can default to true.
const populateElement: GoStruct = {
  name: '',
  typeString: 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }',
  fields: [...proxyFields, { json: 'enabled', type: { kind: 'nullableBool' } }],
};

const toxicWrapperStruct: GoStruct = {
  name: 'ToxicWrapper',
  typeString: 'toxics.ToxicWrapper',
  fields: [
    // Until the type is known, the attributes decode into the empty NoopToxic.
    {
      json: 'attributes',
      type: { kind: 'struct', struct: { name: 'NoopToxic', typeString: 'toxics.NoopToxic', fields: [] } },
    },
    { json: 'name', type: str },
    { json: 'type', type: str },
    { json: 'stream', type: str },
    { json: 'toxicity', type: { kind: 'float32' } },
  ],
};

/** The body as JSON, or a 400 "bad request body: <Go's syntax error>". */
export function parseBody(body: Uint8Array): GoJsonValue {
  try {
    return readGoJsonValue(body);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) throw toxiproxyErrors.badRequestBody(e.message);
    throw e;
  }
}

/** POST /proxies and POST /proxies/{name}: the fields over `defaults`. */
export function decodeProxyFields(body: GoJsonValue, defaults: ProxyFields): ProxyFields {
  const values: GoValues = { ...defaults };
  failOn(unmarshalGoStruct(body, proxyStruct, values));
  return toProxyFields(values);
}

/** POST /populate: the listed proxies; `enabled` defaults to true. */
export function decodePopulate(body: GoJsonValue): ProxyFields[] {
  const blank = (): GoValues => ({ name: '', listen: '', upstream: '', enabled: null });
  const { elements, error } = unmarshalGoStructSlice(body, populateElement, blank);
  failOn(error);
  return elements.map((e) => toProxyFields({ ...e, enabled: e['enabled'] ?? true }));
}

/** The fields of a new toxic other than its attributes, which need its type first. */
export interface ToxicHeader {
  readonly name: string;
  readonly type: string;
  readonly stream: string;
  readonly toxicity: number;
}

/** POST /proxies/{name}/toxics, first pass: stream defaults to downstream, toxicity to 1. */
export function decodeToxicHeader(body: GoJsonValue): ToxicHeader {
  const values: GoValues = { name: '', type: '', stream: 'downstream', toxicity: 1 };
  failOn(unmarshalGoStruct(body, toxicWrapperStruct, values));
  return {
    name: values['name'] as string,
    type: values['type'] as string,
    stream: values['stream'] as string,
    toxicity: values['toxicity'] as number,
  };
}

/** POST /proxies/{name}/toxics, second pass: the attributes, from zero values, once the type is known. */
export function decodeNewToxicAttributes(
  body: GoJsonValue,
  definition: ToxicDefinition,
): Map<string, bigint> {
  const zero = new Map(definition.attributes.map((a) => [a.name, 0n]));
  const values: GoValues = { attributes: Object.fromEntries(zero) };
  const attrsStruct: GoStruct = {
    name: '',
    typeString: 'struct { Attributes interface {} "json:\\"attributes\\"" }',
    fields: [{ json: 'attributes', type: { kind: 'struct', struct: attributesStruct(definition) } }],
  };
  failOn(unmarshalGoStruct(body, attrsStruct, values));
  return attributesFrom(values, definition);
}

/** POST /proxies/{name}/toxics/{toxic}: new attributes over the current ones, and the toxicity. */
export function decodeToxicUpdate(
  body: GoJsonValue,
  toxic: ActiveToxic,
): { attributes: Map<string, bigint>; toxicity: number } {
  const values: GoValues = { attributes: Object.fromEntries(toxic.attributes), toxicity: toxic.toxicity };
  const updateStruct: GoStruct = {
    name: '',
    typeString:
      'struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }',
    fields: [
      { json: 'attributes', type: { kind: 'struct', struct: attributesStruct(toxic.definition) } },
      { json: 'toxicity', type: { kind: 'float32' } },
    ],
  };
  failOn(unmarshalGoStruct(body, updateStruct, values));
  return { attributes: attributesFrom(values, toxic.definition), toxicity: values['toxicity'] as number };
}

function attributesStruct(definition: ToxicDefinition): GoStruct {
  return {
    name: definition.goStruct,
    typeString: `toxics.${definition.goStruct}`,
    fields: definition.attributes.map((a) => ({
      json: a.name,
      type: { kind: 'int', name: a.goType } as const,
    })),
  };
}

function attributesFrom(values: GoValues, definition: ToxicDefinition): Map<string, bigint> {
  const decoded = values['attributes'] as GoValues;
  return new Map(definition.attributes.map((a) => [a.name, decoded[a.name] as bigint]));
}

function toProxyFields(values: GoValues): ProxyFields {
  return {
    name: values['name'] as string,
    listen: values['listen'] as string,
    upstream: values['upstream'] as string,
    enabled: values['enabled'] as boolean,
  };
}

function failOn(error: string | undefined): void {
  if (error !== undefined) throw toxiproxyErrors.badRequestBody(error);
}
