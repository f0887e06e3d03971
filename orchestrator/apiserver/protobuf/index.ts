/**
 * Kubernetes protobuf bodies (`application/vnd.kubernetes.protobuf`), as kubectl's typed clients
 * send them: the magic `k8s\0`, then a runtime.Unknown envelope whose `raw` is the object's own
 * protobuf encoding. We decode to the object's JSON form and hand that to the JSON pipeline.
 */
import protobuf from 'protobufjs';
import { ApiError } from '../../api/errors.js';
import { SchemaMismatch, jsonToMessage, messageToJson } from './codec.js';
import { UNKNOWN_TYPE, messageTypeFor, type ProtoType } from './schema.js';

/** The media type of Kubernetes protobuf request and response bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface UnknownEnvelope {
  typeMeta?: { apiVersion?: string; kind?: string };
  raw?: Uint8Array;
  contentEncoding?: string;
  contentType?: string;
}

/**
 * Decodes a Kubernetes protobuf body into the object's Kubernetes JSON form, with `apiVersion` and
 * `kind` set from the envelope. Absent and zero-valued optional fields are left out exactly as Go's
 * encoding/json would leave them out; times become RFC 3339 strings, quantities strings,
 * IntOrString a number or a string, bytes base64.
 *
 * Throws ApiError BadRequest when the bytes are not a well-formed Kubernetes protobuf body, and
 * ApiError UnsupportedMediaType when the body is well formed but carries a kind we have no schema
 * for (the client can send JSON instead).
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ApiError('BadRequest', 'protobuf body does not start with the Kubernetes magic "k8s\\0"');
  }
  const envelope = decode(UNKNOWN_TYPE, body.subarray(MAGIC.length), 'envelope') as UnknownEnvelope;
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  if (!apiVersion || !kind) throw new ApiError('BadRequest', 'protobuf body carries no apiVersion and kind');
  if (envelope.contentEncoding) {
    throw new ApiError(
      'UnsupportedMediaType',
      `protobuf body with content encoding "${envelope.contentEncoding}" is not supported; send JSON`,
    );
  }
  if (envelope.contentType && envelope.contentType !== PROTOBUF_MEDIA_TYPE) {
    throw new ApiError(
      'UnsupportedMediaType',
      `protobuf envelope holding "${envelope.contentType}" is not supported; send JSON`,
    );
  }
  const type = messageTypeFor(apiVersion, kind);
  if (!type) {
    throw new ApiError(
      'UnsupportedMediaType',
      `protobuf body of kind "${kind}" in "${apiVersion}" is not supported; send JSON`,
    );
  }
  const message = decode(type, envelope.raw ?? new Uint8Array(), kind);
  try {
    return { apiVersion, kind, ...messageToJson(type, message) };
  } catch (e) {
    throw new ApiError(
      'BadRequest',
      `protobuf body of kind "${kind}" could not be decoded: ${(e as Error).message}`,
    );
  }
}

function decode(type: ProtoType, bytes: Uint8Array, what: string): protobuf.Message {
  try {
    return type.decode(bytes);
  } catch (e) {
    throw new ApiError('BadRequest', `protobuf ${what} could not be decoded: ${(e as Error).message}`);
  }
}

/**
 * Encodes a Kubernetes JSON object (with `apiVersion` and `kind`) as a Kubernetes protobuf body:
 * magic, runtime.Unknown envelope, the object's own encoding in `raw`. The inverse of
 * decodeProtobufObject: decoding the result yields the input again, provided the input leaves
 * out zero values the way Go's JSON does.
 *
 * Throws ApiError BadRequest when the object has no schema here, or holds a field or value the
 * schema cannot carry (nothing is dropped silently).
 */
export function encodeProtobufObject(obj: Record<string, unknown>): Buffer {
  const { apiVersion, kind, ...rest } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new ApiError('BadRequest', 'object to encode as protobuf needs apiVersion and kind');
  }
  const type = messageTypeFor(apiVersion, kind);
  if (!type)
    throw new ApiError('BadRequest', `kind "${kind}" in "${apiVersion}" has no protobuf schema here`);
  let plain: Record<string, unknown>;
  try {
    plain = jsonToMessage(type, rest, kind);
  } catch (e) {
    if (e instanceof SchemaMismatch)
      throw new ApiError('BadRequest', `cannot encode as protobuf: ${e.message}`);
    throw e;
  }
  const problem = type.verify(plain);
  if (problem) throw new ApiError('BadRequest', `cannot encode ${kind} as protobuf: ${problem}`);
  const raw = type.encode(plain).finish();
  const envelope = UNKNOWN_TYPE.encode({
    typeMeta: { apiVersion, kind },
    raw,
    contentEncoding: '',
    contentType: '',
  }).finish();
  return Buffer.concat([MAGIC, envelope]);
}
