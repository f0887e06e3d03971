/**
 * Hands each pod of a node a user id of its own from a range, lowest free first, and takes it back
 * when the pod is gone. A pod keeps its id for its whole life on the node (restarts included); a
 * restarted kubelet starts over, as it starts its pods over. A pod that asks for a user
 * (securityContext.runAsUser) gets one of the pool too: it names an id inside the pod only.
 */
export class PodUserPool {
  private readonly byPod = new Map<string, number>();

  constructor(private readonly range: { first: number; last: number }) {}

  /** The id of pod `podUid`; throws when every id of the range is taken. */
  allocate(podUid: string): number {
    const held = this.byPod.get(podUid);
    if (held !== undefined) return held;
    const used = new Set(this.byPod.values());
    for (let uid = this.range.first; uid <= this.range.last; uid++)
      if (!used.has(uid)) {
        this.byPod.set(podUid, uid);
        return uid;
      }
    throw new RangeError(`every user id of ${this.range.first}-${this.range.last} is taken by a pod`);
  }

  release(podUid: string): void {
    this.byPod.delete(podUid);
  }
}
