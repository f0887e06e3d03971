import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../cluster/host-programs.js';

const run = promisify(execFile);

/** crucible's version and the commit it was built from, dirty or not ("unknown" outside a checkout). */
export async function crucibleBuild(): Promise<{ version: string; commit: string; dirty: boolean }> {
  const version = (
    JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;
  try {
    const commit = (await run('git', ['-C', PROJECT_ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
    const dirty =
      (
        await run('git', ['-C', PROJECT_ROOT, 'status', '--porcelain', '--untracked-files=no'])
      ).stdout.trim() !== '';
    return { version, commit, dirty };
  } catch {
    return { version, commit: 'unknown', dirty: false };
  }
}

/** Versions of what the run used, for the reproduce block. */
export async function toolVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = { node: process.version };
  const kubectl = await run('kubectl', ['version', '--client', '-o', 'json']).catch(() => undefined);
  if (kubectl)
    versions.kubectl = (
      JSON.parse(kubectl.stdout) as { clientVersion: { gitVersion: string } }
    ).clientVersion.gitVersion;
  return versions;
}
