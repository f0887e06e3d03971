import { systemClock, type Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { findResource } from '../resources.js';
import type { Lease } from '../types.js';
import type { ApiClient } from './api-client.js';
import { sleep, systemTimers, type TimerScheduler } from './timer-scheduler.js';

/** What a leader elector needs of a client. */
export type LeaderElectorClient = Pick<ApiClient, 'tryGet' | 'create' | 'update'>;

export interface LeaderElectorOptions {
  client: LeaderElectorClient;
  /** Namespace and name of the coordination.k8s.io/v1 Lease. */
  namespace: string;
  name: string;
  /** This candidate's identity, unique among candidates (e.g. host name + random suffix). */
  identity: string;
  /** How long others wait, after last seeing the lease record change, before taking it over. */
  leaseDurationMs: number;
  /** How long the leader keeps leading without a successful renewal. Less than leaseDurationMs. */
  renewDeadlineMs: number;
  /** Time between attempts to acquire or renew. Less than renewDeadlineMs. */
  retryPeriodMs: number;
  /** Time stamps and the observation of lease changes. Default: the system clock. */
  clock?: Clock;
  /** Waits between attempts and the renew deadline. Default: Node's timers. */
  timers?: TimerScheduler;
  /** Called on becoming leader; `signal` aborts the moment leadership is lost. May be async. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once each time leadership ends, after the signal has aborted. */
  onStoppedLeading(): void;
  /** Called when a different (non-empty) holder of the lease is observed, this one included. */
  onNewLeader?(identity: string): void;
  /**
   * Told of failures the elector survives: a failed attempt (other than losing a race), a throwing
   * callback, a failed release. Default: written to stderr.
   */
  onError?(error: unknown): void;
}

type LeaseSpec = NonNullable<Lease['spec']>;

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

/**
 * client-go's leader election with a LeaseLock. `run()` tries to acquire the lease every
 * retryPeriod — creating it if missing, taking it over only when it is free (holderIdentity '')
 * or its record has not changed for leaseDuration as observed on this elector's own clock (the
 * holder's renewTime is never compared with ours: clocks differ). Every write is a
 * compare-and-swap on resourceVersion, so of two candidates exactly one wins. The leader renews
 * every retryPeriod; if no renewal has succeeded within renewDeadline (counted from when the last
 * successful renewal was sent), it stops leading at once — aborting the signal given to
 * onStartedLeading, calling onStoppedLeading — and goes back to trying to acquire.
 */
export class LeaderElector {
  private readonly clock: Clock;
  private readonly timers: TimerScheduler;
  private readonly stopping = new AbortController();
  private leading?: AbortController;
  private deadlineHandle?: unknown;
  private observedRecord?: string;
  private observedAt = 0;
  private observedHolder = '';
  private reportedLeader = '';
  private attempt?: Promise<boolean>;
  private running?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(private readonly options: LeaderElectorOptions) {
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs, identity } = options;
    if (!identity) throw new RangeError('LeaderElector needs an identity');
    if (!(retryPeriodMs > 0 && renewDeadlineMs > retryPeriodMs && leaseDurationMs > renewDeadlineMs))
      throw new RangeError('LeaderElector needs 0 < retryPeriodMs < renewDeadlineMs < leaseDurationMs');
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
  }

  /** Whether this elector leads now. */
  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** The holder last observed on the lease ('' when free or not yet read). */
  leader(): string {
    return this.observedHolder;
  }

  /** Campaigns and leads until `stop()`; resolves when stopped. Calling it again returns the same run. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /**
   * Stops campaigning and leading (aborting the leader's signal, calling onStoppedLeading). With
   * `release`, a lease this elector holds is handed back (holder '', duration 1 s) so the next
   * candidate takes over at once, as client-go's ReleaseOnCancel. Safe to call twice.
   */
  stop(release = true): Promise<void> {
    this.stopped ??= this.shutDown(release);
    return this.stopped;
  }

  private async shutDown(release: boolean): Promise<void> {
    this.stopping.abort();
    this.stepDown();
    if (release) {
      // Our own renewal in flight would otherwise race the release and win.
      await this.attempt;
      if (this.observedHolder === this.options.identity) {
        try {
          await this.release();
        } catch (e) {
          this.report(e);
        }
      }
    }
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    // A request hanging on a dead connection must not hold up stop().
    const stopped = new Promise<false>((resolve) =>
      signal.addEventListener('abort', () => resolve(false), { once: true }),
    );
    while (!signal.aborted) {
      const sentAt = this.timers.now();
      this.attempt = this.tryAcquireOrRenew();
      const acquired = await Promise.race([this.attempt, stopped]);
      if (signal.aborted) break;
      const left = sentAt + this.options.renewDeadlineMs - this.timers.now();
      if (acquired && left > 0) {
        if (!this.leading) this.startLeading();
        this.armDeadline(left);
      }
      await sleep(this.timers, this.options.retryPeriodMs, signal);
    }
  }

  /** One attempt; false when someone else holds the lease, we lost a race, or the call failed. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.options;
    const stamp = formatMicroTime(this.clock.now());
    try {
      const lease = await client.tryGet<Lease>(LEASES, namespace, name);
      // Taken after the read, so a change is never dated earlier than we could have seen it.
      const now = this.clock.now();
      if (!lease) {
        const spec: LeaseSpec = { ...this.holderFields(stamp), acquireTime: stamp, leaseTransitions: 0 };
        const created = await client.create<Lease>(LEASES, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec,
        });
        this.observe(created.spec ?? spec, this.clock.now());
        return true;
      }
      const old = lease.spec ?? {};
      this.observe(old, now);
      const holder = old.holderIdentity ?? '';
      if (holder && holder !== identity && this.observedAt + this.options.leaseDurationMs > now.getTime())
        return false;
      const spec: LeaseSpec =
        holder === identity
          ? {
              ...this.holderFields(stamp),
              acquireTime: old.acquireTime ?? stamp,
              leaseTransitions: old.leaseTransitions ?? 0,
            }
          : {
              ...this.holderFields(stamp),
              acquireTime: stamp,
              leaseTransitions: (old.leaseTransitions ?? 0) + 1,
            };
      const updated = await client.update<Lease>(LEASES, { ...lease, spec });
      this.observe(updated.spec ?? spec, this.clock.now());
      return true;
    } catch (e) {
      // 409 is losing the race to another candidate: routine, not worth a report. Either way the
      // next attempt reads the lease afresh.
      if (!(e instanceof ApiError && e.code === 409)) this.report(e);
      return false;
    }
  }

  private holderFields(stamp: string): LeaseSpec {
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.options.leaseDurationMs / 1000)),
      renewTime: stamp,
    };
  }

  /** Notes the record and, if it changed, when we saw it change: the basis of expiry. */
  private observe(spec: LeaseSpec, at: Date): void {
    const record = JSON.stringify([
      spec.holderIdentity ?? '',
      spec.leaseDurationSeconds,
      spec.acquireTime,
      spec.renewTime,
      spec.leaseTransitions,
    ]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = at.getTime();
    }
    this.observedHolder = spec.holderIdentity ?? '';
    if (this.observedHolder && this.observedHolder !== this.reportedLeader) {
      this.reportedLeader = this.observedHolder;
      const leader = this.observedHolder;
      this.guard(() => this.options.onNewLeader?.(leader));
    }
  }

  private startLeading(): void {
    const leading = new AbortController();
    this.leading = leading;
    this.guard(() => {
      const started = this.options.onStartedLeading(leading.signal);
      if (started instanceof Promise) started.catch((e: unknown) => this.report(e));
    });
  }

  private armDeadline(ms: number): void {
    if (this.deadlineHandle !== undefined) this.timers.clearTimeout(this.deadlineHandle);
    this.deadlineHandle = this.timers.setTimeout(() => {
      this.deadlineHandle = undefined;
      this.stepDown();
    }, ms);
  }

  private stepDown(): void {
    if (this.deadlineHandle !== undefined) {
      this.timers.clearTimeout(this.deadlineHandle);
      this.deadlineHandle = undefined;
    }
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    leading.abort();
    this.guard(() => this.options.onStoppedLeading());
  }

  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.options;
    const lease = await client.tryGet<Lease>(LEASES, namespace, name);
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const stamp = formatMicroTime(this.clock.now());
    const spec: LeaseSpec = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: lease.spec.leaseTransitions ?? 0,
    };
    const updated = await client.update<Lease>(LEASES, { ...lease, spec });
    this.observe(updated.spec ?? spec, this.clock.now());
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.report(e);
    }
  }

  private report(error: unknown): void {
    try {
      if (this.options.onError) this.options.onError(error);
      else console.error(`leader election ${this.options.namespace}/${this.options.name}:`, error);
    } catch {
      // A failing error reporter must not stop the elector.
    }
  }
}

/** metav1.MicroTime: RFC 3339 with six fractional digits (a Date has three). */
function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
