import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package a file belongs to: the folder of its package.json, and the version there. */
export interface PackageInfo {
  dir: string;
  version: string;
}

/**
 * The package.json nearest above `from` (default: this file), found as Node finds a module's
 * package: orchestrator/api/ in a checkout and dist/orchestrator/api/ in a build belong to the
 * same package.json, and so does an installed copy under node_modules/. Read at run time, so a
 * build says the version it was built from. Throws when there is none, or it has no version.
 * The one definition both command lines use for `--version`, which is why it lives in
 * orchestrator/api.
 */
export function nearestPackage(from: string | URL = import.meta.url): PackageInfo {
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
      if (typeof version !== 'string') throw new Error(`${file} has no version`);
      return { dir, version };
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/** The version of the package `from` belongs to (default: crucible's own). */
export function packageVersion(from: string | URL = import.meta.url): string {
  return nearestPackage(from).version;
}
