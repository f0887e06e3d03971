import type { GroundTruthContainer, GroundTruthPod } from '../history/history.js';

/** crucible's runtime names a container by its process: `process://<pid>`. */
const PROCESS_CONTAINER_ID = /^process:\/\/(\d+)$/;

interface ListedPod {
  metadata?: { name?: unknown; namespace?: unknown; uid?: unknown };
  status?: { containerStatuses?: unknown };
}

interface ListedContainerStatus {
  name?: unknown;
  restartCount?: unknown;
  containerID?: unknown;
  state?: { running?: { startedAt?: unknown } };
}

/**
 * A kubelet's `GET /pods` (a v1 PodList, crucible's kubelet's or any real kubelet's, read directly
 * or through the apiserver's node proxy) as ground truth: each pod with those of its containers
 * that run, in namespace/name order. A container's pid comes from a `process://<pid>` container
 * ID (crucible's runtime); a container of another runtime (`containerd://…`) gets pid 0 and its
 * container ID, which with its start time tells one instance from the next. Undefined when the
 * answer is no PodList (not JSON, no `items` array, a pod without name, namespace or uid).
 */
export function groundTruthPods(text: string): GroundTruthPod[] | undefined {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return undefined;
  }
  return groundTruthPodsOf(list);
}

/** `groundTruthPods` of a PodList already decoded from JSON; undefined when it is no PodList. */
export function groundTruthPodsOf(list: unknown): GroundTruthPod[] | undefined {
  if (!isObject(list) || (list.kind !== undefined && list.kind !== 'PodList') || !Array.isArray(list.items))
    return undefined;
  const pods: GroundTruthPod[] = [];
  for (const item of list.items as ListedPod[]) {
    const meta: NonNullable<ListedPod['metadata']> = (isObject(item) && item.metadata) || {};
    const { name, namespace, uid } = meta;
    if (typeof name !== 'string' || typeof namespace !== 'string' || typeof uid !== 'string')
      return undefined;
    const statuses = item.status?.containerStatuses;
    const containers = Array.isArray(statuses)
      ? (statuses as ListedContainerStatus[]).flatMap((s) => runningContainer(s) ?? [])
      : [];
    pods.push({ namespace, name, uid, containers });
  }
  return pods.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.uid.localeCompare(b.uid),
  );
}

/** A container status that says the container runs, as ground truth; undefined for any other. */
function runningContainer(status: ListedContainerStatus): GroundTruthContainer | undefined {
  const running = isObject(status) && isObject(status.state) ? status.state.running : undefined;
  if (!isObject(running) || typeof status.name !== 'string') return undefined;
  const id = typeof status.containerID === 'string' ? status.containerID : '';
  const pid = PROCESS_CONTAINER_ID.exec(id)?.[1];
  return {
    name: status.name,
    pid: pid === undefined ? 0 : Number(pid),
    startedAt: typeof running.startedAt === 'string' ? running.startedAt : '',
    restarts: typeof status.restartCount === 'number' ? status.restartCount : 0,
    ...(pid === undefined && id ? { containerId: id } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
