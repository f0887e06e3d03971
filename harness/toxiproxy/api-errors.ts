/**
 * The one catalogue of the Toxiproxy API's errors, with the messages and statuses of
 * toxiproxy-server 2.12.0 (its api.go), so that clients matching on them keep working. On the wire
 * an error is `{"error": <message>, "status": <status>}`.
 */
import { marshalObject, marshalString } from './go-json-marshal.js';

export type ToxiproxyErrorCode =
  | 'BadRequestBody'
  | 'MissingField'
  | 'ProxyNotFound'
  | 'ProxyAlreadyExists'
  | 'InvalidStream'
  | 'InvalidToxicType'
  | 'ToxicAlreadyExists'
  | 'ToxicNotFound'
  | 'InternalError';

export class ToxiproxyApiError extends Error {
  constructor(
    readonly code: ToxiproxyErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ToxiproxyApiError';
  }

  /** The error's JSON members, `error` then `status`, as Go's ApiError struct is written. */
  jsonMembers(): [string, string][] {
    return [
      ['error', marshalString(this.message)],
      ['status', String(this.status)],
    ];
  }

  toJson(): string {
    return marshalObject(this.jsonMembers());
  }
}

export const toxiproxyErrors = {
  /** The body is not JSON, or not of the expected shape; `detail` is the JSON decoder's message. */
  badRequestBody: (detail: string) =>
    new ToxiproxyApiError('BadRequestBody', `bad request body: ${detail}`, 400),
  /** `detail` names the field, and for /populate the proxy's position: "upstream at proxy 2". */
  missingField: (detail: string) =>
    new ToxiproxyApiError('MissingField', `missing required field: ${detail}`, 400),
  proxyNotFound: () => new ToxiproxyApiError('ProxyNotFound', 'proxy not found', 404),
  proxyAlreadyExists: () => new ToxiproxyApiError('ProxyAlreadyExists', 'proxy already exists', 409),
  invalidStream: () =>
    new ToxiproxyApiError('InvalidStream', 'stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: () => new ToxiproxyApiError('InvalidToxicType', 'invalid toxic type', 400),
  toxicAlreadyExists: () => new ToxiproxyApiError('ToxicAlreadyExists', 'toxic already exists', 409),
  toxicNotFound: () => new ToxiproxyApiError('ToxicNotFound', 'toxic not found', 404),
  /** Anything else — a listen address in use, an address that does not resolve — is a 500 with its message. */
  internal: (message: string) => new ToxiproxyApiError('InternalError', message, 500),
};
