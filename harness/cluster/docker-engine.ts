import { dockerClient, type DockerClient } from '../support/docker-client.js';

export { dockerClient, type DockerClient };

/** Labels on every container and network crucible creates; the reaper removes by them. */
export const DOCKER_CLUSTER_LABEL = 'crucible.dev/cluster';
export const DOCKER_RUN_LABEL = 'crucible.dev/run-id';
export const DOCKER_NODE_LABEL = 'crucible.dev/node';

/**
 * Removes every container and network of `cluster` (of any cluster when undefined), found by
 * label, so also what a crashed run left. Returns how many it removed.
 */
export async function reapDocker(cluster?: string): Promise<number> {
  const docker = await dockerClient();
  const label = cluster === undefined ? DOCKER_CLUSTER_LABEL : `${DOCKER_CLUSTER_LABEL}=${cluster}`;
  const filters = JSON.stringify({ label: [label] });
  // A cloud-controller-manager removed in the same pass may just have started a load balancer:
  // list again until nothing of the cluster is left.
  let removed = 0;
  for (let pass = 0; pass < 5; pass++) {
    const containers = await docker.listContainers({ all: true, filters });
    if (containers.length === 0) break;
    removed += containers.length;
    // A frozen worker (node-pause) is thawed before it is removed, as `docker rm -f` expects.
    await Promise.all(
      containers
        .filter((c) => c.State === 'paused')
        .map((c) => ignoreStatus(docker.getContainer(c.Id).unpause(), 404, 409)),
    );
    await Promise.all(
      containers.map((c) =>
        ignoreStatus(docker.getContainer(c.Id).remove({ force: true, v: true }), 404, 409),
      ),
    );
  }
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => removeNetwork(docker, n.Id, filters)));
  return removed + networks.length;
}

/**
 * Removes a network, even one a container still joins: a balancer whose create the engine was
 * still serving when its cloud-controller-manager died appears after the last listing, and the
 * engine then refuses with 403 "has active endpoints". Such latecomers of the cluster are removed,
 * anything else is disconnected, and the removal is tried again.
 */
async function removeNetwork(docker: DockerClient, id: string, filters: string): Promise<void> {
  const network = docker.getNetwork(id);
  for (let attempt = 1; ; attempt++) {
    try {
      await ignoreStatus(network.remove(), 404);
      return;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 403 || attempt === 5) throw e;
    }
    const ours = new Set((await docker.listContainers({ all: true, filters })).map((c) => c.Id));
    const joined = Object.keys(
      ((await ignoreStatus(network.inspect(), 404)) as NetworkInfo | undefined)?.Containers ?? {},
    );
    await Promise.all(
      joined.map((container) =>
        ours.has(container)
          ? ignoreStatus(docker.getContainer(container).remove({ force: true, v: true }), 404, 409)
          : ignoreStatus(network.disconnect({ Container: container, Force: true }), 404),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}

type NetworkInfo = { Containers?: Record<string, unknown> };

/**
 * Runs an engine call and treats the given HTTP statuses as done: 304 "already started/stopped",
 * 404 "already gone", 409 "already paused / not running" make every node operation idempotent.
 */
export async function ignoreStatus<T>(call: Promise<T>, ...statuses: number[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (statuses.includes((e as { statusCode?: number }).statusCode ?? 0)) return undefined;
    throw e;
  }
}

/** Splits the engine's multiplexed stdout/stderr stream (8-byte frame headers) into text. */
export function demuxDockerStream(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
