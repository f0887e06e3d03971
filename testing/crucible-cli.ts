import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `crucible` command line, as a user runs it. */
export const CRUCIBLE_CLI = fileURLToPath(new URL('../dist/harness/cli/crucible-cli.js', import.meta.url));

export interface CrucibleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `crucible` CLI with its own CRUCIBLE_HOME and waits for it to exit. `onStderr`
 * sees the error output so far as it grows, and may interrupt the run: SIGINT, as Ctrl-C, unless
 * another signal is named (SIGKILL, as a CI job's timeout or the OOM killer).
 */
export function crucible(
  home: string,
  args: string[],
  onStderr?: (text: string, interrupt: (signal?: NodeJS.Signals) => void) => void,
): Promise<CrucibleRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CRUCIBLE_CLI, ...args], {
      env: { ...process.env, CRUCIBLE_HOME: home },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, (signal = 'SIGINT') => child.kill(signal));
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs `fn` in this process with CRUCIBLE_HOME set to `home` (as the CLI above runs), then puts it back. */
export async function withHome<T>(home: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.CRUCIBLE_HOME;
  process.env.CRUCIBLE_HOME = home;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.CRUCIBLE_HOME;
    else process.env.CRUCIBLE_HOME = previous;
  }
}
