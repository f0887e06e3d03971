import type { Clock } from '../api/clock.js';

/** Expectations older than this are given up on, as in Kubernetes: a lost watch event must not wedge a controller. */
const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  adds: number;
  deletes: Set<string>;
  at: number;
}

/**
 * Kubernetes' ControllerExpectations: how many creations and which deletions a controller has
 * asked for and not yet seen through its informer. While any are outstanding, the controller
 * does not act on its (lagging) cache again, so it never creates or deletes twice.
 */
export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now().getTime() - e.at > EXPECTATIONS_TTL_MS;
  }

  /** Creations and deletions asked for in one pass (a DaemonSet's nodes may need both). */
  expect(key: string, count: number, podKeys: string[]): void {
    this.byKey.set(key, { adds: count, deletes: new Set(podKeys), at: this.clock.now().getTime() });
  }

  expectCreations(key: string, count: number): void {
    this.byKey.set(key, { adds: count, deletes: new Set(), at: this.clock.now().getTime() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.byKey.set(key, { adds: 0, deletes: new Set(podKeys), at: this.clock.now().getTime() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.byKey.get(key)?.deletes.delete(podKey);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
