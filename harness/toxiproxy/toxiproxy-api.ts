/**
 * The endpoints of the Toxiproxy HTTP API (toxiproxy-server 2.12.0's api.go), as a function from a
 * routed request to a response: statuses, bodies, content types and the order of checks are the
 * real server's, so that a client cannot tell the difference.
 */
import type { ActiveToxic, StreamDirection } from './active-toxic.js';
import { populateBody, proxyBody, proxyIndexBody, toxicBody, toxicListBody } from './api-bodies.js';
import { ToxiproxyApiError, toxiproxyErrors } from './api-errors.js';
import {
  decodeNewToxicAttributes,
  decodePopulate,
  decodeProxyFields,
  decodeToxicHeader,
  decodeToxicUpdate,
  parseBody,
} from './api-requests.js';
import type { RouteName } from './api-router.js';
import { Proxy } from './proxy.js';
import type { ProxyCollection } from './proxy-collection.js';
import { findToxicDefinition } from './toxics/index.js';

/** The version this server's API is a copy of, reported by GET /version. */
export const TOXIPROXY_API_VERSION = '2.12.0';

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A success body, as the real server writes it: application/json, no trailing newline. */
export function jsonResponse(status: number, body: string): ApiResponse {
  return { status, headers: { 'Content-Type': 'application/json' }, body };
}

/** Go's http.Error: text/plain, nosniff, the text and a newline. The API's JSON errors go out this way too. */
export function plainErrorResponse(status: number, text: string): ApiResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
    body: `${text}\n`,
  };
}

const noContent: ApiResponse = { status: 204, headers: {}, body: '' };

export class ToxiproxyApi {
  constructor(
    private readonly proxies: ProxyCollection,
    private readonly random: () => number,
  ) {}

  async handle(
    route: RouteName,
    params: Readonly<Record<string, string>>,
    body: Buffer,
  ): Promise<ApiResponse> {
    try {
      return await this.dispatch(route, params, body);
    } catch (e) {
      const error = asApiError(e);
      return plainErrorResponse(error.status, error.toJson());
    }
  }

  private dispatch(
    route: RouteName,
    params: Readonly<Record<string, string>>,
    body: Buffer,
  ): Promise<ApiResponse> {
    const proxyName = params['proxy'] ?? '';
    const toxicName = params['toxic'] ?? '';
    switch (route) {
      case 'Version':
        return Promise.resolve({
          status: 200,
          headers: { 'Content-Type': 'application/json;charset=utf-8' },
          body: `{"version": "${TOXIPROXY_API_VERSION}"}\n`,
        });
      case 'ProxyIndex':
        return Promise.resolve(jsonResponse(200, proxyIndexBody(this.proxies.list())));
      case 'ProxyCreate':
        return this.createProxy(body);
      case 'Populate':
        return this.populate(body);
      case 'ProxyShow':
        return Promise.resolve(jsonResponse(200, proxyBody(this.proxy(proxyName))));
      case 'ProxyUpdate':
        return this.updateProxy(proxyName, body);
      case 'ProxyDelete':
        return this.deleteProxy(proxyName);
      case 'ResetState':
        return this.reset();
      case 'ToxicIndex':
        return Promise.resolve(jsonResponse(200, toxicListBody(this.proxy(proxyName).toxics.list())));
      case 'ToxicCreate':
        return this.createToxic(proxyName, body);
      case 'ToxicShow':
        return Promise.resolve(jsonResponse(200, toxicBody(this.toxic(proxyName, toxicName))));
      case 'ToxicUpdate':
        return this.updateToxic(proxyName, toxicName, body);
      case 'ToxicDelete':
        return this.deleteToxic(proxyName, toxicName);
    }
  }

  private async createProxy(body: Buffer): Promise<ApiResponse> {
    const fields = decodeProxyFields(parseBody(body), { name: '', listen: '', upstream: '', enabled: true });
    if (fields.name === '') throw toxiproxyErrors.missingField('name');
    if (fields.upstream === '') throw toxiproxyErrors.missingField('upstream');
    const proxy = new Proxy(fields.name, fields.listen, fields.upstream, this.random);
    await this.proxies.add(proxy, fields.enabled);
    return jsonResponse(201, proxyBody(proxy));
  }

  /**
   * Creates or replaces each listed proxy in order, after checking all of them. Errors come back
   * as JSON with the proxies handled before the failure — unlike every other endpoint's errors.
   */
  private async populate(body: Buffer): Promise<ApiResponse> {
    const done: Proxy[] = [];
    try {
      const entries = decodePopulate(parseBody(body));
      entries.forEach((entry, i) => {
        if (entry.name === '') throw toxiproxyErrors.missingField(`name at proxy ${i + 1}`);
        if (entry.upstream === '') throw toxiproxyErrors.missingField(`upstream at proxy ${i + 1}`);
      });
      for (const entry of entries) {
        const proxy = new Proxy(entry.name, entry.listen, entry.upstream, this.random);
        done.push(await this.proxies.addOrReplace(proxy, entry.enabled));
      }
      return jsonResponse(201, populateBody(undefined, done));
    } catch (e) {
      const error = asApiError(e);
      return jsonResponse(error.status, populateBody(error, done));
    }
  }

  private async updateProxy(name: string, body: Buffer): Promise<ApiResponse> {
    const proxy = this.proxy(name);
    const defaults = { name: '', listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled };
    await proxy.update(decodeProxyFields(parseBody(body), defaults));
    return jsonResponse(200, proxyBody(proxy));
  }

  private async deleteProxy(name: string): Promise<ApiResponse> {
    if (!(await this.proxies.remove(name))) throw toxiproxyErrors.proxyNotFound();
    return noContent;
  }

  /** Enables every proxy and removes every toxic; stops at the first proxy that cannot listen. */
  private async reset(): Promise<ApiResponse> {
    for (const proxy of this.proxies.list()) {
      await proxy.start();
      await proxy.toxics.reset();
    }
    return noContent;
  }

  /** The checks in the real server's order: body, stream, type, name taken, then the attributes. */
  private async createToxic(proxyName: string, body: Buffer): Promise<ApiResponse> {
    const proxy = this.proxy(proxyName);
    const json = parseBody(body);
    const header = decodeToxicHeader(json);
    const direction = parseDirection(header.stream);
    if (!direction) throw toxiproxyErrors.invalidStream();
    const name = header.name === '' ? `${header.type}_${header.stream}` : header.name;
    const definition = findToxicDefinition(header.type);
    if (!definition) throw toxiproxyErrors.invalidToxicType();
    if (proxy.toxics.find(name)) throw toxiproxyErrors.toxicAlreadyExists();
    const toxic: ActiveToxic = {
      name,
      type: header.type,
      stream: header.stream,
      direction,
      toxicity: header.toxicity,
      attributes: decodeNewToxicAttributes(json, definition),
      definition,
    };
    proxy.toxics.add(toxic);
    return jsonResponse(200, toxicBody(toxic));
  }

  private async updateToxic(proxyName: string, toxicName: string, body: Buffer): Promise<ApiResponse> {
    const proxy = this.proxy(proxyName);
    const toxic = this.toxic(proxyName, toxicName);
    const { attributes, toxicity } = decodeToxicUpdate(parseBody(body), toxic);
    const updated: ActiveToxic = { ...toxic, attributes, toxicity };
    await proxy.toxics.update(updated);
    return jsonResponse(200, toxicBody(updated));
  }

  private async deleteToxic(proxyName: string, toxicName: string): Promise<ApiResponse> {
    if (!(await this.proxy(proxyName).toxics.remove(toxicName))) throw toxiproxyErrors.toxicNotFound();
    return noContent;
  }

  private proxy(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw toxiproxyErrors.proxyNotFound();
    return proxy;
  }

  private toxic(proxyName: string, toxicName: string): ActiveToxic {
    const toxic = this.proxy(proxyName).toxics.find(toxicName);
    if (!toxic) throw toxiproxyErrors.toxicNotFound();
    return toxic;
  }
}

/** Toxiproxy matches the stream case-insensitively. */
function parseDirection(stream: string): StreamDirection | undefined {
  const lower = stream.toLowerCase();
  return lower === 'upstream' || lower === 'downstream' ? lower : undefined;
}

/** Errors without an API status (a listen address in use, say) are 500s carrying their message, as in Go. */
function asApiError(e: unknown): ToxiproxyApiError {
  if (e instanceof ToxiproxyApiError) return e;
  return toxiproxyErrors.internal(e instanceof Error ? e.message : String(e));
}
