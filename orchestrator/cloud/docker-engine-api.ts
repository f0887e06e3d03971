import { Agent, request } from 'undici';

/** A container as the engine lists it (GET /containers/json). */
export interface EngineContainer {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string>;
}

/** A Docker Engine API failure, with the engine's HTTP status. */
export class DockerEngineError extends Error {
  readonly code = 'DOCKER_ENGINE';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerEngineError';
  }
}

/**
 * The few Docker Engine API calls the docker cloud needs, over the engine's unix socket. The
 * cloud-controller-manager runs in a container with the socket mounted, as a cloud's controller
 * holds credentials for its cloud's API.
 */
export class DockerEngineApi {
  private readonly agent: Agent;

  constructor(socketPath = '/var/run/docker.sock') {
    this.agent = new Agent({ connect: { socketPath, timeout: 5000 } });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Every container (running or not) carrying all the given labels. */
  listContainers(labels: Record<string, string>): Promise<EngineContainer[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
    return this.call('GET', `/containers/json?all=true&filters=${encodeURIComponent(filters)}`);
  }

  async inspectContainer(id: string): Promise<{ Config: { Image: string } } | undefined> {
    try {
      return await this.call('GET', `/containers/${encodeURIComponent(id)}/json`);
    } catch (e) {
      if (e instanceof DockerEngineError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  async createContainer(name: string, body: unknown): Promise<string> {
    const { Id } = await this.call<{ Id: string }>(
      'POST',
      `/containers/create?name=${encodeURIComponent(name)}`,
      body,
    );
    return Id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/start`, undefined, [304]);
  }

  async removeContainer(id: string): Promise<void> {
    await this.call(
      'DELETE',
      `/containers/${encodeURIComponent(id)}?force=true&v=true`,
      undefined,
      [404, 409],
    );
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    tolerated: number[] = [],
  ): Promise<T> {
    const res = await request(`http://docker${path}`, {
      method,
      dispatcher: this.agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300 && !tolerated.includes(res.statusCode)) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // Not JSON: the text as it is.
      }
      throw new DockerEngineError(
        res.statusCode,
        `docker ${method} ${path.split('?')[0]}: ${res.statusCode} ${message}`,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
