import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { ApiClient, LeaderElector } from '../api/client/index.js';
import { parseDuration } from '../api/duration.js';
import { timingProfile, type TimingProfile } from '../api/timing-profile.js';

export interface ComponentFlags {
  server: string;
  token?: string;
  tokenFile?: string;
  certificateAuthority?: string;
  profile: string;
  leaderElect: string;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  identity?: string;
  logLevel: string;
}

/** The connection, timing and leader-election flags every control-plane component shares. */
export function withComponentFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--server <urls>', 'apiserver URLs, comma-separated (failover in order)')
    .option('--token <token>', 'bearer token')
    .option('--token-file <file>', 'file holding the bearer token')
    .option('--certificate-authority <file>', "CA certificate of the apiserver's serving certificate")
    .option('--profile <name>', 'timing profile: fast or kubernetes', 'fast')
    .option('--leader-elect <bool>', 'run under Lease leader election', 'true')
    .option('--leader-elect-lease-duration <duration>', 'override the profile')
    .option('--leader-elect-renew-deadline <duration>', 'override the profile')
    .option('--leader-elect-retry-period <duration>', 'override the profile')
    .option('--identity <id>', 'leader-election identity (default: host name and a random suffix)')
    .option('--log-level <level>', 'pino log level', 'info');
}

export interface ComponentRuntime {
  client: ApiClient;
  timing: TimingProfile;
  log: Logger;
  identity: string;
}

export async function componentRuntime(name: string, flags: ComponentFlags): Promise<ComponentRuntime> {
  const log = pino({ name, level: flags.logLevel });
  const base = timingProfile(flags.profile);
  const le = base.leaderElection;
  const timing: TimingProfile = {
    ...base,
    leaderElection: {
      leaseDurationMs: flags.leaderElectLeaseDuration
        ? parseDuration(flags.leaderElectLeaseDuration)
        : le.leaseDurationMs,
      renewDeadlineMs: flags.leaderElectRenewDeadline
        ? parseDuration(flags.leaderElectRenewDeadline)
        : le.renewDeadlineMs,
      retryPeriodMs: flags.leaderElectRetryPeriod
        ? parseDuration(flags.leaderElectRetryPeriod)
        : le.retryPeriodMs,
    },
  };
  const token =
    flags.token ?? (flags.tokenFile ? (await readFile(flags.tokenFile, 'utf8')).trim() : undefined);
  const caPem = flags.certificateAuthority ? await readFile(flags.certificateAuthority, 'utf8') : undefined;
  const client = new ApiClient({
    servers: flags.server
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    token,
    caPem,
    userAgent: `${name}/crucible`,
  });
  const identity = flags.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  log.info({ identity, profile: flags.profile, servers: flags.server }, 'starting');
  return { client, timing, log, identity };
}

/**
 * Runs `work` while this process leads `kube-system/<lockName>` (or always, without leader
 * election). Losing the lease aborts the work's signal at once; the process stays a candidate.
 * Returns a stop function that ends the work and releases the lease.
 */
export function runLeaderElected(
  rt: ComponentRuntime,
  lockName: string,
  leaderElect: boolean,
  work: (signal: AbortSignal) => Promise<void>,
): () => Promise<void> {
  if (!leaderElect) {
    const controller = new AbortController();
    const done = work(controller.signal).catch((e: unknown) =>
      rt.log.error({ err: (e as Error).message }, 'stopped with an error'),
    );
    return async () => {
      controller.abort();
      await done;
    };
  }
  let current: Promise<void> | undefined;
  const elector = new LeaderElector({
    client: rt.client,
    namespace: 'kube-system',
    name: lockName,
    identity: rt.identity,
    ...rt.timing.leaderElection,
    onStartedLeading: (signal) => {
      rt.log.info({ identity: rt.identity }, 'became leader');
      current = work(signal).catch((e: unknown) =>
        rt.log.error({ err: (e as Error).message }, 'stopped with an error'),
      );
    },
    onStoppedLeading: () => rt.log.info({ identity: rt.identity }, 'stopped leading'),
    onNewLeader: (id) => rt.log.info({ leader: id }, 'new leader'),
  });
  void elector.run();
  return async () => {
    await elector.stop(true);
    await current;
  };
}
