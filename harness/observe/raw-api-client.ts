import { Agent, request } from 'undici';
import type { ClientCertificate } from '../../orchestrator/api/client/index.js';
import { failureMessage } from './failure-message.js';
import { NoAnswerError } from './no-answer-error.js';

/** An answer of the apiserver, whatever its status. */
export interface RawAnswer {
  status: number;
  /** The body as JSON, or its text when it is not JSON. */
  body: unknown;
}

export interface RawApiClientOptions {
  apiservers: readonly string[];
  caPem: string;
  /** The client certificate every request presents, for a user who has one instead of a token. */
  clientCert?: ClientCertificate;
  /** Deadline of each request, connecting and reading the body included. */
  timeoutMs: number;
}

/**
 * A minimal HTTP client of the apiserver for observers, for which the answer's status is the
 * observation itself: unlike ApiClient it never retries, hands back every status as it is, and
 * keeps "no answer" (NoAnswerError) apart from an answer of 503. After a request got no answer,
 * the next goes to the next apiserver, as a failing-over client would.
 */
export class RawApiClient {
  private readonly dispatcher: Agent;
  private current = 0;
  private closed?: Promise<void>;

  constructor(private readonly options: RawApiClientOptions) {
    if (options.apiservers.length === 0) throw new RangeError('RawApiClient needs at least one apiserver');
    this.dispatcher = new Agent({
      connect: {
        ca: options.caPem,
        ...(options.clientCert ? { cert: options.clientCert.certPem, key: options.clientCert.keyPem } : {}),
        timeout: options.timeoutMs,
      },
      keepAliveTimeout: 10_000,
    });
  }

  /** Sends one request with `token` (none: the client certificate alone); rejects with NoAnswerError when no answer came. */
  async send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<RawAnswer> {
    const server = this.options.apiservers[this.current]!;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'user-agent': 'crucible-observer',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      const res = await request(server + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: parseJson(text) };
    } catch (e) {
      if (this.options.apiservers.length > 1)
        this.current = (this.current + 1) % this.options.apiservers.length;
      throw new NoAnswerError(failureMessage(e, this.options.timeoutMs), server);
    }
  }

  /** Closes the connections; safe to call twice. */
  close(): Promise<void> {
    this.closed ??= this.dispatcher.close().catch(() => undefined);
    return this.closed;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
