import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { ClientCertificate } from '../../orchestrator/api/client/index.js';
import { ClusterError } from './cluster-error.js';

const run = promisify(execFile);

/** One context of a user's kubeconfig, as crucible acts through it. */
export interface KubeconfigContext {
  /** The kubeconfig file (absolute) and the context's name in it. */
  file: string;
  context: string;
  server: string;
  caPem: string;
  token?: string;
  clientCert?: ClientCertificate;
  /**
   * The context alone, certificates inlined (`kubectl config view --minify --flatten`): what the
   * run's kubectl gets, written to a file of the run's own, so the user's file is never changed.
   */
  minified: string;
}

interface FlatKubeconfig {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> | null }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
}

/**
 * Reads one context of a kubeconfig through the real kubectl (so it resolves the file exactly as
 * kubectl does), and what crucible needs of it: the server, the CA, and who the user is. A context
 * must be named: crucible never acts on a cluster because it happened to be the current one.
 * Authentication crucible cannot do itself (exec plugins, auth providers) and TLS without a CA are
 * refused, each with the reason.
 */
export async function readKubeconfigContext(
  file: string,
  context: string | undefined,
): Promise<KubeconfigContext> {
  const path = resolve(file);
  const contexts = await contextNames(path);
  if (!context)
    throw new ClusterError(
      'KubeconfigContextNotNamed',
      `an existing cluster is used only when its context is named: add --context NAME (the contexts of ${path}: ${contexts.join(', ') || 'none'})`,
    );
  if (!contexts.includes(context))
    throw new ClusterError(
      'KubeconfigContextNotFound',
      `${path} has no context "${context}"; its contexts: ${contexts.join(', ') || 'none'}`,
    );
  const { stdout } = await kubectl([
    'config',
    'view',
    '--kubeconfig',
    path,
    '--context',
    context,
    '--minify',
    '--flatten',
    '-o',
    'json',
  ]);
  const flat = JSON.parse(stdout) as FlatKubeconfig;
  const cluster = flat.clusters?.[0]?.cluster ?? {};
  const user = flat.users?.[0]?.user ?? {};
  const refuse = (why: string) =>
    new ClusterError('KubeconfigUnsupported', `context "${context}" of ${path}: ${why}`);
  const server = stringField(cluster, 'server');
  if (!server) throw refuse('its cluster has no server');
  if (cluster['insecure-skip-tls-verify'])
    throw refuse(
      'it skips TLS verification; crucible talks only to an apiserver it can verify (give certificate-authority-data)',
    );
  const caData = stringField(cluster, 'certificate-authority-data');
  if (!caData)
    throw refuse('its cluster has no certificate-authority(-data): crucible verifies the apiserver');
  if (user['exec'] || user['auth-provider'])
    throw refuse(
      `its user authenticates through ${user['exec'] ? 'an exec plugin' : 'an auth provider'}, which crucible's own clients do not run: use a context whose user has a token or a client certificate`,
    );
  const tokenFile = stringField(user, 'tokenFile');
  const token =
    stringField(user, 'token') ?? (tokenFile ? (await readFile(tokenFile, 'utf8')).trim() : undefined);
  const certData = stringField(user, 'client-certificate-data');
  const keyData = stringField(user, 'client-key-data');
  if (!token && !(certData && keyData))
    throw refuse('its user has neither a token nor a client certificate and key');
  return {
    file: path,
    context,
    server,
    caPem: fromBase64(caData),
    ...(token ? { token } : {}),
    ...(certData && keyData
      ? { clientCert: { certPem: fromBase64(certData), keyPem: fromBase64(keyData) } }
      : {}),
    minified: stringify(flat),
  };
}

async function contextNames(path: string): Promise<string[]> {
  await readFile(path).catch(() => {
    throw new ClusterError('KubeconfigNotFound', `--kubeconfig: no such file ${path}`);
  });
  const { stdout } = await kubectl(['config', 'get-contexts', '--kubeconfig', path, '-o', 'name']);
  return stdout.split('\n').filter(Boolean);
}

async function kubectl(args: string[]): Promise<{ stdout: string }> {
  try {
    return await run('kubectl', args, { maxBuffer: 16 * 2 ** 20 });
  } catch (e) {
    const { stderr, message } = e as { stderr?: string; message: string };
    throw new ClusterError(
      'KubeconfigUnreadable',
      `kubectl ${args.slice(0, 2).join(' ')}: ${stderr?.trim() || message}`,
    );
  }
}

function stringField(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fromBase64(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}
