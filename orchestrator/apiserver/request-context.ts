import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../api/resources.js';
import type { UserInfo } from './auth/index.js';
import type { ResourceRequestInfo } from './request-info.js';
import { servedVersion, type ServedVersion } from './served-version.js';

/** One resource request as the handlers see it. */
export interface RequestContext {
  info: ResourceRequestInfo;
  r: ResourceType;
  /** The version the request is in: `r`'s own, or one converted to and from it. */
  served: ServedVersion;
  /** Who makes the request, as authenticated. */
  user: UserInfo;
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
  user: UserInfo,
): RequestContext {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const served = servedVersion(r, info.group, info.version);
  return { info, r, served, user, req, res, q: url.searchParams, signal: controller.signal };
}
