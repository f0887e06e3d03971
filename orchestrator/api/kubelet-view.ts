/**
 * What a kubelet's read-only server shows of what runs on its node: the ground truth while the
 * control plane is down. `GET /pods` answers a JSON array of KubeletContainerView; the harness
 * records it by pod (KubeletPodView) in a run's history.
 */

/** One container of a pod on the node, as `GET /pods` lists it. */
export interface KubeletContainerView {
  podUid: string;
  namespace: string;
  /** The pod's name. */
  pod: string;
  /** The container's name. */
  container: string;
  /** Of the running process; absent while the container waits to (re)start or after it ended. */
  pid?: number;
  /** When the running process started (ISO 8601); absent with `pid`. */
  startedAt?: string;
  restarts: number;
  ready: boolean;
  state: 'running' | 'terminated' | 'waiting';
  hostPorts: number[];
}

/** A running container of a KubeletPodView: its name and what tells a restart (pid, start, count). */
export interface KubeletRunningContainer
  extends Required<Pick<KubeletContainerView, 'pid' | 'startedAt'>>, Pick<KubeletContainerView, 'restarts'> {
  name: string;
}

/** The view by pod: a pod on the node and those of its containers that run. */
export interface KubeletPodView {
  namespace: string;
  name: string;
  uid: string;
  containers: KubeletRunningContainer[];
}
