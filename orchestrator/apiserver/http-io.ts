import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from '../api/errors.js';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufObject } from './protobuf/index.js';
import { checkBodyDepth, checkYamlDepth } from './body-depth.js';

/** kube-apiserver refuses request bodies over 3 MiB; etcd's object limit is 1.5 MiB. */
export const MAX_BODY_BYTES = 1.5 * 1024 * 1024;

/** Reads the whole body, refusing it as soon as it grows past the limit. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw errors.tooLarge(MAX_BODY_BYTES);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw errors.tooLarge(MAX_BODY_BYTES);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes a JSON, YAML or Kubernetes protobuf body; a malformed body is a 400 naming the parser's
 * complaint, and so is one nested deeper than MAX_BODY_DEPTH.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const decoded = decode(body, mediaType(contentType));
  checkBodyDepth(decoded);
  return decoded;
}

function decode(body: Buffer, type: string): unknown {
  // kubectl's typed commands (create namespace, create configmap, auth can-i, …) send protobuf.
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  if (type.endsWith('yaml')) {
    checkYamlDepth(text);
    try {
      return parseYaml(text, { strict: true, uniqueKeys: true, maxAliasCount: 100 });
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (type.endsWith('json') || type === '*/*') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`error decoding JSON: ${(e as Error).message}`);
    }
  }
  throw errors.unsupportedMediaType(type);
}

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-cache, private',
    ...headers,
  });
  res.end(payload);
}

export function writeText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Every failure leaves as a Kubernetes Status; anything not an ApiError is an internal error without a stack. */
export function writeError(res: ServerResponse, err: unknown): ApiError {
  const apiError =
    err instanceof ApiError ? err : errors.internal(err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.destroy();
    return apiError;
  }
  const headers: Record<string, string> = {};
  if (apiError.details?.retryAfterSeconds)
    headers['retry-after'] = String(apiError.details.retryAfterSeconds);
  writeJson(res, apiError.code, apiError.toStatus(), headers);
  return apiError;
}
