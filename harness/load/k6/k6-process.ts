import { spawn } from 'node:child_process';
import { posix } from 'node:path';
import type { K6Runtime } from './k6-runtime.js';

export const K6_SAMPLES_FILE = 'samples.ndjson';
export const K6_SUMMARY_FILE = 'summary.json';
/** Where the work folder is mounted in a k6 container. */
const CONTAINER_ROOT = '/crucible';
/** After an abort, k6 gets this long to stop gracefully (and write its summary) before a kill. */
const ABORT_GRACE_MS = 10_000;
/** The end of k6's console output kept for error messages. */
const OUTPUT_TAIL = 4000;

export interface K6Invocation {
  /** k6 writes its outputs in this folder. */
  workDir: string;
  /** The script's absolute path; inside workDir when k6 runs in a container. */
  script: string;
  /** Passed with --env: the script's __ENV. */
  env: Record<string, string>;
}

export interface K6Exit {
  /** k6's exit code: 0 passed, 99 thresholds crossed, 105 aborted from outside, others errors. */
  exitCode: number;
  /** The end of what k6 printed (stdout and stderr), for error messages. */
  output: string;
}

/**
 * k6's command line: `run`, quiet (crucible prints its own progress), the NDJSON samples and the
 * summary export into the work folder, the environment, the script. `root` is where k6 sees the
 * work folder: the folder itself, or its mount point in a container.
 */
export function k6Arguments(invocation: K6Invocation, root = invocation.workDir): string[] {
  const seen = (path: string) =>
    root === invocation.workDir ? path : posix.join(root, posix.relative(invocation.workDir, path));
  return [
    'run',
    '--quiet',
    '--no-color',
    '--no-usage-report',
    '--out',
    `json=${posix.join(root, K6_SAMPLES_FILE)}`,
    '--summary-export',
    posix.join(root, K6_SUMMARY_FILE),
    ...Object.entries(invocation.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    seen(invocation.script),
  ];
}

/** Runs k6 to its end; `signal` asks it to stop early (SIGINT, then a kill). */
export function runK6(runtime: K6Runtime, invocation: K6Invocation, signal?: AbortSignal): Promise<K6Exit> {
  return runtime.kind === 'binary'
    ? runBinary(runtime.path, invocation, signal)
    : runImage(runtime.image, invocation, signal);
}

function runBinary(path: string, invocation: K6Invocation, signal?: AbortSignal): Promise<K6Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, k6Arguments(invocation), {
      cwd: invocation.workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), ABORT_GRACE_MS);
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.once('close', (code, killedBy) => {
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (killedBy === 'SIGKILL' ? 137 : 130), output });
    });
  });
}

/**
 * k6 in a container of a local image (never pulled), on the host's network so loopback targets
 * are reachable, with the work folder mounted; removed when done. Labelled like everything
 * crucible starts, so a crashed run's container can be found and removed.
 */
async function runImage(image: string, invocation: K6Invocation, signal?: AbortSignal): Promise<K6Exit> {
  const { loadTestcontainers } = await import('../../support/docker-client.js');
  const tc = await loadTestcontainers();
  const client = await tc.getContainerRuntimeClient();
  const container = await client.container.create({
    Image: image,
    Cmd: k6Arguments(invocation, CONTAINER_ROOT),
    User: `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
    Labels: { 'crucible.dev/component': 'k6' },
    HostConfig: { NetworkMode: 'host', Binds: [`${invocation.workDir}:${CONTAINER_ROOT}`] },
  });
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    void container.kill({ signal: 'SIGINT' }).catch(() => {});
    killTimer = setTimeout(() => void container.kill().catch(() => {}), ABORT_GRACE_MS);
  };
  try {
    await client.container.start(container);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    return { exitCode: StatusCode, output: demuxed(logs).slice(-OUTPUT_TAIL) };
  } finally {
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
    await client.container.remove(container, { removeVolumes: true }).catch(() => {});
  }
}

/** Docker's log stream (8-byte frame headers before each chunk) as text. */
function demuxed(logs: Buffer | NodeJS.ReadableStream): string {
  if (!Buffer.isBuffer(logs)) return '';
  const parts: string[] = [];
  for (let i = 0; i + 8 <= logs.length;) {
    const size = logs.readUInt32BE(i + 4);
    parts.push(logs.subarray(i + 8, i + 8 + size).toString());
    i += 8 + size;
  }
  return parts.join('');
}
