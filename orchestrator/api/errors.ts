/**
 * The one catalogue of API errors. Every failure that crosses a package boundary is an
 * `ApiError` with a stable Kubernetes `reason`, an HTTP code and a message meant for a person;
 * the apiserver turns it into a `Status` body, clients turn `Status` bodies back into it.
 */
import type { Status, StatusCause, StatusDetails } from './types.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Expired';

const codeOf: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

export class ApiError extends Error {
  readonly code: number;

  constructor(
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    code?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code ?? codeOf[reason];
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  /** Rebuilds the error from a `Status` body received over the wire. */
  static fromStatus(status: Partial<Status>, httpCode: number): ApiError {
    const reason = (status.reason as StatusReason | undefined) ?? reasonForCode(httpCode);
    return new ApiError(
      reason,
      status.message ?? `HTTP ${httpCode}`,
      status.details,
      status.code ?? httpCode,
    );
  }
}

function reasonForCode(code: number): StatusReason {
  const found = (Object.entries(codeOf) as [StatusReason, number][]).find(([, c]) => c === code);
  return found ? found[0] : code >= 500 ? 'InternalError' : 'BadRequest';
}

/** A resource reference as it appears in Kubernetes error messages: `deployments.apps "web"`. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound: (resource: string, group: string, name: string) =>
    new ApiError('NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
      name,
      group,
      kind: resource,
    }),
  alreadyExists: (resource: string, group: string, name: string) =>
    new ApiError('AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
      name,
      group,
      kind: resource,
    }),
  conflict: (resource: string, group: string, name: string, why: string) =>
    new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`,
      { name, group, kind: resource },
    ),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) =>
    new ApiError(
      'Invalid',
      `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      { name, group, kind, causes },
    ),
  badRequest: (message: string) => new ApiError('BadRequest', message),
  forbidden: (message: string) => new ApiError('Forbidden', message),
  unauthorized: () => new ApiError('Unauthorized', 'Unauthorized'),
  gone: (message: string) => new ApiError('Expired', message),
  methodNotAllowed: (message: string) => new ApiError('MethodNotAllowed', message),
  unsupportedMediaType: (type: string) =>
    new ApiError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got "${type}")`,
    ),
  tooLarge: (limit: number) =>
    new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unavailable: (message: string) => new ApiError('ServiceUnavailable', message),
  timeout: (message: string) => new ApiError('Timeout', message),
  internal: (message: string) => new ApiError('InternalError', `Internal error occurred: ${message}`),
};

export function isApiError(e: unknown, reason?: StatusReason): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.reason === reason);
}
