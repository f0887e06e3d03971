import type { Etcd3 } from 'etcd3';
import { ConstantBackoff, noop } from 'cockatiel';

/** How the apiserver reaches one etcd member: its URL and a client speaking only to it. */
export interface EtcdMember {
  readonly url: string;
  readonly client: Etcd3;
}

/** What a call does to the store: a read may be repeated anywhere, a write only where it never arrived. */
export type EtcdCallKind = 'read' | 'write';

export interface EtcdMembersOptions {
  endpoints: string[];
  /** Builds the client of one endpoint (TLS, gRPC options). */
  connect: (endpoint: string) => Etcd3;
  /** Deadline of one call, every attempt included. */
  requestTimeoutMs: number;
  /** How often a member that failed is probed until it answers; default 250 ms. */
  probeIntervalMs?: number;
  now?: () => number;
  /** Told when a member leaves the choice and when it comes back. */
  onChange?: (member: string, answering: boolean, why: string) => void;
}

/** Where a failed call stands: whether it may have reached the member, and whether the member is to blame. */
interface FailureKind {
  /** The call never left this process or never reached the member: any call may go elsewhere. */
  neverSent: boolean;
  /** The member (or the way to it) failed: it is skipped until a probe finds it answering. */
  memberFailed: boolean;
  /** The member answered that the cluster has no leader right now (an election is on). */
  leaderless: boolean;
}

/**
 * The etcd members of one apiserver and which of them answer, as etcd's Go client balances and
 * retries for kube-apiserver. Each member has a client of its own, so a call goes exactly where
 * it is sent.
 *
 * - A call goes to a member that answered last, picked at random.
 * - A call that never reached its member (no connection to it) is sent to another member, writes
 *   included; a read is sent to another member whatever went wrong on the way (the member died,
 *   lost its leader, timed out), within the call's one deadline. A write that may have arrived is
 *   never repeated: its outcome is unknown, and the caller is told so.
 * - A member that failed a call is left out of the choice and probed in the background (a
 *   linearizable read of one key, with a short deadline) until it answers; a user's request is
 *   never the trial. Only when no member is known to answer does a call go to one that failed —
 *   there is nowhere else — so one member alone behaves as if nothing were tracked.
 */
export class EtcdMembers {
  readonly members: EtcdMember[];
  private readonly failedAt = new Map<EtcdMember, number>();
  /** Per member, the reads waiting on it: each is told when the member is found failing, and goes elsewhere. */
  private readonly waiting = new Map<EtcdMember, Set<(e: Error) => void>>();
  private readonly probing = new Set<EtcdMember>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;
  private readonly probeIntervalMs: number;
  private closed = false;

  constructor(private readonly options: EtcdMembersOptions) {
    this.members = options.endpoints.map((url) => ({ url, client: options.connect(url) }));
    this.now = options.now ?? Date.now;
    this.probeIntervalMs = options.probeIntervalMs ?? 250;
  }

  /** Members that answered their last call or probe. */
  get healthy(): EtcdMember[] {
    return this.members.filter((m) => !this.failedAt.has(m));
  }

  /**
   * Runs `fn` against a member with the call's deadline, and again against another member when
   * the failure allows it (see the class). Throws the last attempt's error.
   */
  async call<T>(
    kind: EtcdCallKind,
    fn: (member: EtcdMember, deadline: number) => Promise<T>,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<T> {
    const deadline = this.now() + timeoutMs;
    const tried = new Set<EtcdMember>();
    let lastError: unknown;
    let leaderless = false;
    let pause = 25;
    for (;;) {
      if (tried.size >= this.members.length) {
        // Every member was tried and each said it has no leader: they are electing one (about
        // a second when the leader died). Try again within the deadline rather than fail now.
        if (!leaderless || this.now() + pause >= deadline) break;
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 200);
        tried.clear();
        leaderless = false;
      }
      const member = this.pick(tried);
      tried.add(member);
      try {
        const attempt = fn(member, deadline);
        if (kind === 'write' || this.members.length < 2) return await attempt;
        // A read waiting on a member that another call or its watch stream found failing (a link
        // that hangs rather than refuses) goes elsewhere at once; its answer, if any, is not awaited.
        return await this.unlessFoundFailing(member, attempt);
      } catch (err) {
        const failure = classify(err);
        if (failure.memberFailed) this.markFailed(member, err);
        const again = failure.neverSent || (kind === 'read' && failure.memberFailed);
        if (!again || this.now() >= deadline || this.members.length < 2) throw err;
        lastError = err;
        leaderless ||= failure.leaderless;
      }
    }
    throw lastError;
  }

  /** The member a long-lived stream (a watch) should use: one that answers, at random. */
  pickForStream(): EtcdMember {
    return this.pick(new Set());
  }

  /** Takes a member out of the choice until a probe finds it answering (e.g. its watch stream broke). */
  markFailed(member: EtcdMember, why?: unknown): void {
    if (this.closed || this.members.length < 2) return;
    const reason = why instanceof Error ? why.message : String(why ?? 'failed');
    if (!this.failedAt.has(member)) {
      this.failedAt.set(member, this.now());
      this.options.onChange?.(member.url, false, reason);
      const waiting = this.waiting.get(member);
      this.waiting.delete(member);
      const error = new Error(`14 UNAVAILABLE: member ${member.url} failed meanwhile: ${reason}`);
      for (const giveUp of waiting ?? []) giveUp(error);
    }
    this.probe(member);
  }

  /**
   * `attempt`'s outcome, or a failure as soon as `member` is found failing meanwhile. Each call
   * registers itself and leaves when settled, so a member that never fails holds nothing.
   */
  private unlessFoundFailing<T>(member: EtcdMember, attempt: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let waiting = this.waiting.get(member);
      if (!waiting) this.waiting.set(member, (waiting = new Set()));
      const set = waiting;
      set.add(reject);
      attempt.then(resolve, reject).finally(() => set.delete(reject));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const m of this.members) m.client.close();
  }

  /** An untried member that answers, at random; else the untried one that failed longest ago. */
  private pick(tried: Set<EtcdMember>): EtcdMember {
    const untried = this.members.filter((m) => !tried.has(m));
    const answering = untried.filter((m) => !this.failedAt.has(m));
    if (answering.length) return answering[Math.floor(Math.random() * answering.length)]!;
    const failed = untried.sort((a, b) => this.failedAt.get(a)! - this.failedAt.get(b)!);
    return failed[0] ?? this.members[0]!;
  }

  private probe(member: EtcdMember): void {
    if (this.closed || this.probing.has(member)) return;
    this.probing.add(member);
    const attempt = async () => {
      if (this.closed) return;
      try {
        const deadline = this.now() + Math.min(this.options.requestTimeoutMs, 1000);
        // Linearizable: a member that lost its peers answers only once it has a leader again.
        await member.client.kv.range({ key: Buffer.from('health'), count_only: true }, { deadline });
        this.failedAt.delete(member);
        this.probing.delete(member);
        this.options.onChange?.(member.url, true, 'answered a probe');
      } catch {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void attempt();
        }, this.probeIntervalMs);
        this.timers.add(timer);
      }
    };
    void attempt();
  }
}

/** The gRPC and etcd options every member's client gets, as kube-apiserver's etcd client sets them. */
export function memberClientOptions(requestTimeoutMs: number) {
  return {
    dialTimeout: requestTimeoutMs,
    // Reconnect quickly once etcd is back: gRPC's default back-off grows to two minutes.
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 500,
      'grpc.keepalive_time_ms': 5000,
      'grpc.keepalive_timeout_ms': 2000,
      'grpc.keepalive_permit_without_calls': 1,
      // An unpaged list of a large resource (2000 Nodes are 6 MB) must not hit gRPC's default 4 MB
      // limit. kube-apiserver's etcd client sets the same: MaxCallRecvMsgSize = math.MaxInt32.
      'grpc.max_receive_message_length': 2 ** 31 - 1,
    },
    // Retries and member choice are EtcdMembers' business: the library's own would hide failures
    // and send a user's call as the trial of a member that failed.
    faultHandling: {
      host: () => noop,
      global: noop,
      watchBackoff: new ConstantBackoff(250).next(),
    },
  };
}

/**
 * Reads a failure of a call the way etcd's Go client does: a call that found no connection never
 * reached the member, nor did one etcd dropped before proposing it; an unavailable member, an
 * expired deadline, or etcd saying it has no leader, lost it, or timed out blames the member;
 * anything else (a compare that failed, a compacted revision, a bad request) is the answer.
 */
function classify(err: unknown): FailureKind {
  const message = err instanceof Error ? err.message : String(err);
  const neverSent =
    /No connection established|failed to connect|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|Name resolution failed|ENOTFOUND|certificate|handshake|client was already closed/i.test(
      message,
    );
  if (neverSent) return { neverSent: true, memberFailed: true, leaderless: false };
  // etcd refused these before proposing anything: a write is as safe to send again as a read.
  const notProposed = /raft proposal dropped|etcdserver: too many requests/i.test(message);
  const leaderless = /etcdserver: (leader changed|no leader|request timed out)|raft proposal dropped/i.test(
    message,
  );
  const memberFailed =
    notProposed ||
    /failed meanwhile|UNAVAILABLE|DEADLINE_EXCEEDED|Deadline exceeded|Connection dropped|RST_STREAM|etcdserver: (request timed out|leader changed|no leader|server stopped)/i.test(
      message,
    );
  return { neverSent: notProposed, memberFailed, leaderless };
}
