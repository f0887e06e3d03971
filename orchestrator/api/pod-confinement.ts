/**
 * The user ids pods run as, one per pod, when the kubelet confines them: none of them is root or a
 * user of the node's own, so a pod cannot read what only root may (the node's credentials) nor
 * another pod's files. The harness firewalls this range on each node (a pod may reach the
 * apiserver, not etcd, Toxiproxy or a kubelet), which is why the range is shared here.
 */
/** How many user ids each worker's pods get: more than any node's pod capacity here. */
export const WORKER_POD_UIDS = 256;
/** Clusters (loopback slots) and workers per cluster that get user ids of their own. */
const BLOCKS = 256;
const WORKERS_PER_BLOCK = 256;

export const POD_UID_RANGE = Object.freeze({
  first: 200_000,
  last: 200_000 + BLOCKS * WORKERS_PER_BLOCK * WORKER_POD_UIDS - 1,
});

/**
 * The user ids of worker `index`'s pods (0-based) in the cluster of `block` (its loopback slot): a
 * slice of POD_UID_RANGE of its own, so a user id names one pod of every cluster on the machine —
 * which is how a node's packet filter tells the pods apart where nodes, of one cluster or of
 * several, share one network namespace (the process provider).
 */
export function workerPodUids(index: number, block = 0): { first: number; last: number } {
  if (!Number.isInteger(index) || index < 0 || index >= WORKERS_PER_BLOCK)
    throw new RangeError(`worker ${index + 1}: only ${WORKERS_PER_BLOCK} workers get user ids of their own`);
  if (!Number.isInteger(block) || block < 0 || block >= BLOCKS)
    throw new RangeError(`uid block ${block}: only blocks 0-${BLOCKS - 1} exist`);
  const first = POD_UID_RANGE.first + (block * WORKERS_PER_BLOCK + index) * WORKER_POD_UIDS;
  return { first, last: first + WORKER_POD_UIDS - 1 };
}

/** `200000-200255` → the range, or why not. */
export function parseUidRange(text: string): { first: number; last: number } {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const [first, last] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || first < 1 || last < first || last > 2 ** 31 - 1)
    throw new RangeError(`"${text}" is not a range of user ids FIRST-LAST (from 1, FIRST ≤ LAST)`);
  return { first, last };
}

/**
 * util-linux's programs a confined pod start runs (a private mount namespace, a bind mount, then
 * the pod's user without capabilities; an exec probe enters the container's mount namespace), at
 * the paths Debian has them; the node image copies them to the same paths.
 */
export const CONFINE_TOOLS = Object.freeze({
  unshare: '/usr/bin/unshare',
  mount: '/usr/bin/mount',
  setpriv: '/usr/bin/setpriv',
  nsenter: '/usr/bin/nsenter',
});
