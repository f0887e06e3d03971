import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../api/resources.js';
import type { ResourceRequestInfo } from './request-info.js';

/** One resource request as the handlers see it. */
export interface RequestContext {
  info: ResourceRequestInfo;
  r: ResourceType;
  req: IncomingMessage;
  res: ServerResponse;
  q: URLSearchParams;
  /** Aborts when the client disconnects before its answer: writes not yet sent are dropped. */
  signal: AbortSignal;
}

export function requestContext(
  info: ResourceRequestInfo,
  r: ResourceType,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): RequestContext {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return { info, r, req, res, q: url.searchParams, signal: controller.signal };
}
