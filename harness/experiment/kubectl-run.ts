import { spawn } from 'node:child_process';
import type { CommandOutput } from '../scenario/step-expectation.js';

export interface KubectlRunOptions {
  kubeconfig: string;
  /** A bearer token that replaces the kubeconfig's (a tenant's). */
  token?: string;
  stdin?: string;
  /** Relative file arguments (`-f ../manifests/x.yaml`) resolve against this folder. */
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Output kept per stream; more is cut, so a runaway `get -w` cannot fill the memory. */
const MAX_OUTPUT = 1 << 20;

/**
 * Runs the real kubectl once and gives its exit code and output whatever happened: a deadline or
 * an abort kills it (exit code -1, the reason on stderr); a kubectl that cannot start is exit 127.
 */
export function runKubectl(args: readonly string[], options: KubectlRunOptions): Promise<CommandOutput> {
  const fullArgs = [
    '--kubeconfig',
    options.kubeconfig,
    ...(options.token ? ['--token', options.token] : []),
    ...args,
  ];
  return new Promise((resolveOutput) => {
    const child = spawn('kubectl', fullArgs, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedFor: string | undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString();
    });
    const kill = (why: string) => {
      killedFor ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timed out after ${options.timeoutMs} ms`), options.timeoutMs);
    const onAbort = () => kill('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (output: CommandOutput) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolveOutput(output);
    };
    child.on('error', (e) => settle({ exitCode: 127, stdout, stderr: `cannot run kubectl: ${e.message}` }));
    child.on('close', (code) =>
      settle(
        killedFor
          ? { exitCode: -1, stdout, stderr: `${stderr}\nkubectl ${killedFor}`.trim() }
          : { exitCode: code ?? -1, stdout, stderr },
      ),
    );
    // kubectl may exit before reading its stdin (a usage error): that is its answer, not ours.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}
