import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real kubectl against a server with a token and no kubeconfig. A fresh cache dir per
 * client keeps discovery caching from hiding requests.
 */
export class Kubectl {
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'crucible-kubectl-'));

  private readonly connection: string[];

  constructor(
    server: string,
    token: string,
    caFile: string,
    private readonly bin = process.env.KUBECTL_BIN ?? 'kubectl',
  ) {
    this.connection = [
      `--server=${server}`,
      ...(token ? [`--token=${token}`] : []),
      `--certificate-authority=${caFile}`,
    ];
  }

  /** kubectl as a user of a cluster from crucible: its kubeconfig, as `crucible up` prints it. */
  static withKubeconfig(kubeconfig: string): Kubectl {
    const kubectl = new Kubectl('', '', '');
    kubectl.connection.splice(0, Infinity, `--kubeconfig=${kubeconfig}`);
    return kubectl;
  }

  /** The same kubectl with another user's bearer token (a tenant's). */
  as(token: string): Kubectl {
    const kubectl = new Kubectl('', '', '', this.bin);
    kubectl.connection.splice(0, Infinity, ...this.connection, `--token=${token}`);
    return kubectl;
  }

  /** The same kubectl with more connection flags (`--client-certificate=…`, `--client-key=…`). */
  withFlags(flags: string[]): Kubectl {
    const kubectl = new Kubectl('', '', '', this.bin);
    kubectl.connection.splice(0, Infinity, ...this.connection, ...flags);
    return kubectl;
  }

  /** The connection flags, for tests that spawn kubectl themselves (e.g. `get -w`). */
  get flags(): string[] {
    return [...this.connection, `--cache-dir=${this.cacheDir}`];
  }

  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    const full = [...this.flags, ...args];
    return new Promise((resolve) => {
      const child = execFile(
        this.bin,
        full,
        { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin!.end(opts.input);
    });
  }

  /** Runs and insists on success, returning stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }
}
