import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { nearestPackage } from '../../orchestrator/api/package-version.js';

/**
 * What `crucible --version` prints: the version in crucible's package.json, and, when crucible runs
 * from a git checkout of its own, the commit and whether the tree has changes:
 * `crucible 0.1.0 (commit 2a3c3e5c1d2e, dirty)`. An installed copy inside someone else's
 * repository shows no commit: it is not that repository's. `from` is a file of the package
 * (default: this one).
 */
export function versionLine(from: string | URL = import.meta.url): string {
  const { dir, version } = nearestPackage(from);
  const commit = checkoutCommit(dir);
  return `crucible ${version}${commit ? ` (commit ${commit})` : ''}`;
}

function checkoutCommit(dir: string): string | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(dir)) return undefined;
    const head = git('rev-parse', '--short=12', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${head}, dirty` : head;
  } catch {
    return undefined; // no git, or not a checkout
  }
}
