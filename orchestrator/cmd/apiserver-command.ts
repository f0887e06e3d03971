import { Command, Option } from 'commander';
import { sabotagesOf, warnSabotaged, withSabotageFlags } from './sabotage-flags.js';
import { pino } from 'pino';
import { parseDuration } from '../api/duration.js';
import {
  DEFAULT_NODE_PORT_RANGE,
  formatPortRange,
  parsePortRange,
  type PortRange,
} from '../api/port-range.js';
import {
  ApiServer,
  type AuthorizationMode,
  type ServiceAccountTokenOptions,
} from '../apiserver/api-server.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountKeyError,
  generateSigningKey,
  loadTokenFile,
  parseSigningKey,
  parseVerificationKeys,
  TokenFileError,
  type VerificationKey,
} from '../apiserver/auth/index.js';
import type { EtcdClientTls } from '../apiserver/storage/etcd-storage.js';
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
  clientCaFile?: string;
  tokenAuthFile?: string;
  authorizationMode: string;
  enableAdmissionPlugins: string;
  disableAdmissionPlugins: string;
  serviceAccountIssuer: string[];
  serviceAccountKeyFile: string[];
  serviceAccountSigningKeyFile?: string;
  apiAudiences: string[];
  anonymousAuth: string;
  etcdRequestTimeout: string;
  defaultNotReadyTolerationSeconds: string;
  defaultUnreachableTolerationSeconds: string;
  etcdCompactionInterval: string;
  serviceNodePortRange: string;
  logLevel: string;
}

const AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['Node', 'RBAC', 'AlwaysAllow'];
/** Admission plugins that always run here; they may be named but not disabled. */
const ALWAYS_ON_ADMISSION_PLUGINS = ['NamespaceLifecycle', 'DefaultTolerationSeconds', 'ResourceQuota'];
/** Admission plugins that may be turned on and off. */
const OPTIONAL_ADMISSION_PLUGINS = ['NodeRestriction'];

const repeated = (value: string, previous: string[]) => [...previous, value];
const repeatedList = (value: string, previous: string[]) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** `orchestrator apiserver`: kube-apiserver's flag names where one exists. */
export function apiserverCommand(): Command {
  return withSabotageFlags(new Command('apiserver'), 'apiserver')
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
    .option(
      '--client-ca-file <file>',
      'CA (PEM) whose client certificates authenticate: common name = user, organizations = groups',
    )
    .option('--token-auth-file <file>', 'static bearer tokens: CSV of token,user,uid,"group1,group2"')
    .addOption(
      new Option(
        '--authorization-mode <modes>',
        'authorization modes asked in order, comma-separated: Node, RBAC, AlwaysAllow',
      ).default('Node,RBAC'),
    )
    .option(
      '--enable-admission-plugins <plugins>',
      `admission plugins to run besides the ones always on (${ALWAYS_ON_ADMISSION_PLUGINS.join(', ')}): NodeRestriction`,
      'NodeRestriction',
    )
    .option('--disable-admission-plugins <plugins>', 'admission plugins not to run: NodeRestriction', '')
    .option(
      '--service-account-issuer <url>',
      `issuer of the service account tokens signed here (default ${DEFAULT_SERVICE_ACCOUNT_ISSUER}); repeat to accept earlier issuers too`,
      repeated,
      [],
    )
    .option(
      '--service-account-key-file <file>',
      "PEM public keys (or private keys, or certificates) that verify service account tokens; repeatable; default: the signing key's",
      repeated,
      [],
    )
    .option(
      '--service-account-signing-key-file <file>',
      'PEM RSA private key that signs service account tokens; without it a key is made in memory, valid at this apiserver only',
    )
    .option(
      '--api-audiences <audiences>',
      'audiences a service account token must be for, comma-separated; default: the issuers',
      repeatedList,
      [],
    )
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
    .option(
      '--service-node-port-range <range>',
      'the ports Services of type NodePort and LoadBalancer get their node ports from: MIN-MAX (or MIN+COUNT); a node port asked for outside it is refused',
      formatPortRange(DEFAULT_NODE_PORT_RANGE),
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: ApiserverFlags) => {
      const log = pino({ name: 'apiserver', level: flags.logLevel });
      const sabotages = sabotagesOf(flags, 'apiserver');
      warnSabotaged(sabotages, log);
      const serviceNodePortRange = nodePortRange(flags.serviceNodePortRange);
      const modes = authorizationModes(flags.authorizationMode);
      const nodeRestriction = nodeRestrictionEnabled(flags);
      const serviceAccountTokens = await serviceAccountTokenOptions(flags);
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
      let clientCaPem: string | undefined;
      try {
        clientCaPem = flags.clientCaFile ? await readFile(flags.clientCaFile, 'utf8') : undefined;
      } catch (e) {
        throw new Error(`--client-ca-file: ${(e as Error).message}`);
      }
      const server = new ApiServer({
        etcdServers,
        etcdTls,
        bindAddress: flags.bindAddress,
        port,
        tls,
        clientCaPem,
        tokens,
        authorizationModes: modes,
        nodeRestriction,
        serviceAccountTokens,
        anonymousAuth: flags.anonymousAuth === 'true',
        etcdRequestTimeoutMs: parseDuration(flags.etcdRequestTimeout),
        etcdCompactionIntervalMs: parseDuration(flags.etcdCompactionInterval),
        serviceNodePortRange,
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
        sabotages,
      });
      const { url } = await server.start();
      log.info(
        { url, etcd: flags.etcdServers, serviceNodePortRange: formatPortRange(serviceNodePortRange) },
        'apiserver listening',
      );
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

/** `--service-node-port-range`: a range of ports as kube-apiserver reads it. */
export function nodePortRange(text: string): PortRange {
  try {
    return parsePortRange(text);
  } catch (e) {
    throw new Error(`--service-node-port-range: ${(e as Error).message}`);
  }
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${text}" is not a whole number ≥ 0`);
  return n;
}

/** `--authorization-mode`: known modes, each once, in the order given. */
export function authorizationModes(text: string): AuthorizationMode[] {
  const modes = text
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const unknown = modes.filter((m) => !AUTHORIZATION_MODES.includes(m as AuthorizationMode));
  if (unknown.length)
    throw new Error(
      `--authorization-mode: unsupported mode(s) ${unknown.join(', ')}; use ${AUTHORIZATION_MODES.join(', ')}`,
    );
  const repeatedModes = modes.filter((m, i) => modes.indexOf(m) !== i);
  if (repeatedModes.length) throw new Error(`--authorization-mode: ${repeatedModes.join(', ')} given twice`);
  if (modes.length === 0) throw new Error('--authorization-mode: no mode given');
  return modes as AuthorizationMode[];
}

/** Whether NodeRestriction runs, from `--enable-admission-plugins` and `--disable-admission-plugins`. */
export function nodeRestrictionEnabled(flags: {
  enableAdmissionPlugins: string;
  disableAdmissionPlugins: string;
}): boolean {
  const list = (text: string) =>
    text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
  const enabled = list(flags.enableAdmissionPlugins);
  const disabled = list(flags.disableAdmissionPlugins);
  const known = [...ALWAYS_ON_ADMISSION_PLUGINS, ...OPTIONAL_ADMISSION_PLUGINS];
  const problems = [
    ...enabled
      .filter((p) => !known.includes(p))
      .map((p) => `--enable-admission-plugins: unknown plugin ${p}`),
    ...disabled
      .filter((p) => !known.includes(p))
      .map((p) => `--disable-admission-plugins: unknown plugin ${p}`),
    ...disabled
      .filter((p) => ALWAYS_ON_ADMISSION_PLUGINS.includes(p))
      .map((p) => `--disable-admission-plugins: ${p} always runs here`),
    ...enabled.filter((p) => disabled.includes(p)).map((p) => `${p} is both enabled and disabled`),
  ];
  if (problems.length) throw new Error(`${problems.join('\n')}\nknown plugins: ${known.join(', ')}`);
  return enabled.includes('NodeRestriction') && !disabled.includes('NodeRestriction');
}

/**
 * The service account token options from `--service-account-*` and `--api-audiences`: the
 * signing key from its file (or one made now), the verification keys from theirs (or the signing
 * key's own), the issuers (or the default one). Every problem is reported at once.
 */
async function serviceAccountTokenOptions(flags: ApiserverFlags): Promise<ServiceAccountTokenOptions> {
  const problems: string[] = [];
  const read = async (file: string, flag: string): Promise<string | undefined> => {
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      problems.push(`${flag}: cannot read ${file}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const parse = <T>(parseText: () => T): T | undefined => {
    try {
      return parseText();
    } catch (e) {
      if (!(e instanceof ServiceAccountKeyError)) throw e;
      problems.push(e.message);
      return undefined;
    }
  };
  const signingFile = flags.serviceAccountSigningKeyFile;
  if (!signingFile && flags.serviceAccountKeyFile.length > 0)
    problems.push(
      '--service-account-key-file needs --service-account-signing-key-file: an apiserver that verifies tokens signs them too',
    );
  const signingText = signingFile ? await read(signingFile, '--service-account-signing-key-file') : undefined;
  const signingKey =
    signingText !== undefined
      ? parse(() => parseSigningKey(signingText, `--service-account-signing-key-file ${signingFile}`))
      : signingFile
        ? undefined
        : generateSigningKey();
  const verificationKeys: VerificationKey[] = [];
  for (const file of flags.serviceAccountKeyFile) {
    const text = await read(file, '--service-account-key-file');
    const keys =
      text !== undefined
        ? parse(() => parseVerificationKeys(text, `--service-account-key-file ${file}`))
        : [];
    verificationKeys.push(...(keys ?? []));
  }
  if (signingKey && flags.serviceAccountKeyFile.length === 0)
    verificationKeys.push({ kid: signingKey.kid, publicKey: signingKey.publicKey });
  if (signingKey && problems.length === 0 && !verificationKeys.some((k) => k.kid === signingKey.kid))
    problems.push(
      "--service-account-key-file: none of its keys is the signing key's public key, so this apiserver would refuse the tokens it signs",
    );
  if (problems.length > 0 || !signingKey) throw new Error(problems.join('\n'));
  const issuers = flags.serviceAccountIssuer.length
    ? flags.serviceAccountIssuer
    : [DEFAULT_SERVICE_ACCOUNT_ISSUER];
  return {
    issuers,
    signingKey,
    verificationKeys,
    ...(flags.apiAudiences.length ? { apiAudiences: flags.apiAudiences } : {}),
  };
}
