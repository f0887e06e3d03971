import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bindFailure, joinHostPort, ListenError } from './listen-address.js';
import { routeRequest } from './api-router.js';
import { ProxyCollection } from './proxy-collection.js';
import { newRequestId } from './request-id.js';
import { plainErrorResponse, ToxiproxyApi, type ApiResponse } from './toxiproxy-api.js';

export interface ToxiproxyServerOptions {
  /** Address the HTTP API listens on. Default 127.0.0.1. */
  readonly host?: string;
  /** Port of the HTTP API. Default 8474, Toxiproxy's; 0 picks a free port. */
  readonly port?: number;
  /** Uniform in [0, 1): decides toxicity rolls, latency jitter and slice sizes. Default Math.random. */
  readonly random?: () => number;
}

/** A started server. */
export interface RunningToxiproxyServer {
  /** The API's base URL, e.g. http://127.0.0.1:8474, for `new Toxiproxy(url)`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the API and every proxy, closing all their connections. Safe to call more than once. */
  close(): Promise<void>;
}

// The real server reads bodies without a limit; this one stops at a size no API call comes near.
const maxBodyBytes = 16 * 1024 * 1024;

/**
 * Starts the bundled Toxiproxy-compatible server: the HTTP API of toxiproxy-server 2.12.0 and the
 * TCP proxies it manages. Throws ListenError if the API's address cannot be bound.
 */
export async function startToxiproxyServer(
  options: ToxiproxyServerOptions = {},
): Promise<RunningToxiproxyServer> {
  const host = options.host ?? '127.0.0.1';
  const proxies = new ProxyCollection();
  const api = new ToxiproxyApi(proxies, options.random ?? Math.random);

  // One request at a time: Go guards the collection and each proxy with locks held across
  // listening and closing; running handlers in turn gives the same atomicity.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === undefined) return send(response, plainErrorResponse(413, 'http: request body too large'));
    const routed = routeRequest(request.method ?? 'GET', request.url ?? '/');
    switch (routed.kind) {
      case 'badRequest':
        response.setHeader('Connection', 'close');
        return send(response, {
          status: 400,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
          body: '400 Bad Request',
        });
      case 'redirect':
        return send(response, { status: 301, headers: { Location: routed.location }, body: '' });
      case 'notFound':
        return send(response, plainErrorResponse(404, '404 page not found'));
      case 'methodNotAllowed':
        return send(response, { status: 405, headers: {}, body: '' });
    }
    // Middleware of matched routes only, as with mux: a request id, and no browsers — a web page
    // must not be able to drive the proxies (Toxiproxy's CSRF guard).
    response.setHeader('X-Toxiproxy-Request-Id', newRequestId());
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/'))
      return send(response, plainErrorResponse(403, 'User agent not allowed'));
    send(response, await inTurn(() => api.handle(routed.route, routed.params, body)));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new ListenError(`listen tcp ${joinHostPort(host, options.port ?? 8474)}: ${bindFailure(e)}`)),
    );
    server.listen({ host, port: options.port ?? 8474 }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8474);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${joinHostPort(host, port)}`,
    host,
    port,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await inTurn(() => proxies.clear());
        await closed;
      })()),
  };
}

/** The whole body, or undefined past the limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, answer: ApiResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
