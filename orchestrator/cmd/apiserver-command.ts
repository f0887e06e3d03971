import { Command, Option } from 'commander';
import { pino } from 'pino';
import { parseDuration } from '../api/duration.js';
import { ApiServer } from '../apiserver/api-server.js';
import type { EtcdClientTls } from '../apiserver/storage/etcd-storage.js';
import { loadTokenFile, TokenFileError } from '../apiserver/auth/index.js';
import { runUntilSignal } from './run-until-signal.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createCertificateAuthority, issueServingCertificate, type KeyPair } from '../api/pki.js';

interface ApiserverFlags {
  etcdServers: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  bindAddress: string;
  securePort: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir: string;
  tokenAuthFile?: string;
  authorizationMode: string;
  anonymousAuth: string;
  etcdRequestTimeout: string;
  defaultNotReadyTolerationSeconds: string;
  defaultUnreachableTolerationSeconds: string;
  etcdCompactionInterval: string;
  logLevel: string;
}

/** `orchestrator apiserver`: kube-apiserver's flag names where one exists. */
export function apiserverCommand(): Command {
  return new Command('apiserver')
    .description('REST and watch API over etcd, with token authentication and RBAC')
    .requiredOption('--etcd-servers <urls>', 'comma-separated etcd client URLs')
    .option('--etcd-cafile <file>', "CA of etcd's serving certificates (PEM): speak TLS to etcd")
    .option('--etcd-certfile <file>', 'client certificate to present to etcd (PEM), with --etcd-cafile')
    .option('--etcd-keyfile <file>', 'private key of --etcd-certfile (PEM)')
    .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
    .option('--secure-port <n>', 'HTTPS port to listen on', '6443')
    .option(
      '--tls-cert-file <file>',
      'serving certificate (PEM); without it a self-signed one is made in --cert-dir',
    )
    .option('--tls-private-key-file <file>', 'private key of --tls-cert-file (PEM)')
    .option(
      '--cert-dir <dir>',
      'where a generated CA and serving certificate are written',
      join(tmpdir(), 'crucible-apiserver-certs'),
    )
    .option('--token-auth-file <file>', 'static bearer tokens: CSV of token,user,uid,"group1,group2"')
    .addOption(new Option('--authorization-mode <modes>', 'RBAC or AlwaysAllow').default('RBAC'))
    .option('--anonymous-auth <bool>', 'admit requests without a token as system:anonymous', 'false')
    .option('--etcd-request-timeout <duration>', 'deadline of every etcd call', '2s')
    .option(
      '--etcd-compaction-interval <duration>',
      'how often etcd is compacted to the revision seen one interval before (0: never)',
      '5m',
    )
    .option(
      '--default-not-ready-toleration-seconds <n>',
      "tolerationSeconds of every pod's default not-ready toleration",
      '300',
    )
    .option(
      '--default-unreachable-toleration-seconds <n>',
      "tolerationSeconds of every pod's default unreachable toleration",
      '300',
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: ApiserverFlags) => {
      const log = pino({ name: 'apiserver', level: flags.logLevel });
      const modes = flags.authorizationMode.split(',').map((m) => m.trim());
      const unknown = modes.filter((m) => m !== 'RBAC' && m !== 'AlwaysAllow' && m !== 'Node');
      if (unknown.length)
        throw new Error(
          `--authorization-mode: unsupported mode(s) ${unknown.join(', ')}; use RBAC or AlwaysAllow`,
        );
      const port = Number(flags.securePort);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--secure-port: "${flags.securePort}" is not a port number`);
      const etcdServers = flags.etcdServers
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const etcdTls = await readEtcdClientTls(flags, etcdServers);
      const tls = await servingCertificate(flags, log);
      let tokens;
      try {
        tokens = flags.tokenAuthFile ? await loadTokenFile(flags.tokenAuthFile) : undefined;
      } catch (e) {
        throw new Error(
          e instanceof TokenFileError ? e.message : `--token-auth-file: ${(e as Error).message}`,
        );
      }
      const server = new ApiServer({
        etcdServers,
        etcdTls,
        bindAddress: flags.bindAddress,
        port,
        tls,
        tokens,
        authorizationMode: modes.includes('RBAC') ? 'RBAC' : 'AlwaysAllow',
        anonymousAuth: flags.anonymousAuth === 'true',
        etcdRequestTimeoutMs: parseDuration(flags.etcdRequestTimeout),
        etcdCompactionIntervalMs: parseDuration(flags.etcdCompactionInterval),
        defaulting: {
          notReadyTolerationSeconds: nonNegativeInt(
            flags.defaultNotReadyTolerationSeconds,
            '--default-not-ready-toleration-seconds',
          ),
          unreachableTolerationSeconds: nonNegativeInt(
            flags.defaultUnreachableTolerationSeconds,
            '--default-unreachable-toleration-seconds',
          ),
        },
        logger: log,
      });
      const { url } = await server.start();
      log.info({ url, etcd: flags.etcdServers }, 'apiserver listening');
      runUntilSignal(
        () => server.stop(),
        (m) => log.info(m),
      );
    });
}

/**
 * TLS to etcd from --etcd-cafile, --etcd-certfile and --etcd-keyfile, or none (plain http) without
 * them. The CA is required with a client key pair, and every etcd URL must then be https: the
 * client speaks TLS to all of them or to none.
 */
export async function readEtcdClientTls(
  flags: Pick<ApiserverFlags, 'etcdCafile' | 'etcdCertfile' | 'etcdKeyfile'>,
  servers: string[],
): Promise<EtcdClientTls | undefined> {
  const { etcdCafile, etcdCertfile, etcdKeyfile } = flags;
  if (!etcdCafile && !etcdCertfile && !etcdKeyfile) return undefined;
  if (!etcdCertfile !== !etcdKeyfile) throw new Error('--etcd-certfile and --etcd-keyfile go together');
  if (!etcdCafile)
    throw new Error("--etcd-certfile needs --etcd-cafile: the CA of etcd's serving certificates");
  const plain = servers.filter((s) => !s.startsWith('https://'));
  if (plain.length)
    throw new Error(`--etcd-cafile: every --etcd-servers URL must be https://, not ${plain.join(', ')}`);
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      throw new Error(`${flag}: ${(e as Error).message}`);
    }
  };
  return {
    caPem: await read(etcdCafile, '--etcd-cafile'),
    certPem: etcdCertfile && (await read(etcdCertfile, '--etcd-certfile')),
    keyPem: etcdKeyfile && (await read(etcdKeyfile, '--etcd-keyfile')),
  };
}

/**
 * The serving certificate from --tls-cert-file/--tls-private-key-file, or, like kube-apiserver
 * without them, a self-signed one: a CA and a certificate for the bind address, localhost and
 * this host, written to --cert-dir so clients can trust `ca.crt`.
 */
async function servingCertificate(flags: ApiserverFlags, log: Logger): Promise<KeyPair> {
  if (flags.tlsCertFile || flags.tlsPrivateKeyFile) {
    if (!flags.tlsCertFile || !flags.tlsPrivateKeyFile)
      throw new Error('--tls-cert-file and --tls-private-key-file go together');
    return {
      certPem: await readFile(flags.tlsCertFile, 'utf8'),
      keyPem: await readFile(flags.tlsPrivateKeyFile, 'utf8'),
    };
  }
  const ca = createCertificateAuthority('crucible-apiserver-ca');
  const hosts = [flags.bindAddress, '127.0.0.1', 'localhost', hostname()].filter((h) => h !== '0.0.0.0');
  const serving = issueServingCertificate(ca, { commonName: 'apiserver', hosts });
  await mkdir(flags.certDir, { recursive: true });
  await writeFile(join(flags.certDir, 'ca.crt'), ca.certPem);
  await writeFile(join(flags.certDir, 'apiserver.crt'), serving.certPem);
  await writeFile(join(flags.certDir, 'apiserver.key'), serving.keyPem, { mode: 0o600 });
  log.info({ ca: join(flags.certDir, 'ca.crt') }, 'generated a self-signed serving certificate');
  return serving;
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${text}" is not a whole number ≥ 0`);
  return n;
}
