import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, nodeNames } from '../cluster/index.js';
import type { RunMetadata } from '../history/index.js';
import type { ExperimentRun } from './experiment-run.js';

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

/** The history's metadata of a run that has gone through its lifecycle (as far as it got). */
export async function runMetadata(run: ExperimentRun): Promise<RunMetadata> {
  const { scenario, options, clock } = run;
  return {
    scenario: {
      name: scenario.name,
      ...(scenario.description ? { description: scenario.description } : {}),
      tags: scenario.tags,
      file: scenario.file,
      hash: scenario.hash,
      ...(scenario.expect ? { expect: scenario.expect } : {}),
    },
    seed: options.seed,
    crucible: await crucibleBuild(),
    commandLine: options.commandLine,
    versions: {
      ...(await toolVersions()),
      ...(run.cluster
        ? {
            toxiproxy: run.cluster.record.members.some((m) => m.program === 'toxiproxy-server')
              ? 'toxiproxy-server (the real one)'
              : 'bundled (crucible toxiproxy)',
          }
        : {}),
    },
    provider: options.provider.name,
    topology: run.cluster
      ? nodeNames(run.cluster.record).map((node) => ({ node, role: node.replace(/-\d+$/, '') }))
      : [],
    tenants: scenario.tenants,
    ...(run.cluster?.record.podConfinement ? { podConfinement: run.cluster.record.podConfinement } : {}),
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: new Date().toISOString(),
    phases: clock.phases,
    ...(run.aborted
      ? {
          aborted: {
            phase: clock.phases.find((p) => p.outcome !== 'ok')?.name ?? clock.current ?? 'boot',
            reason: options.signal.aborted ? 'interrupted (Ctrl-C)' : (run.error?.message ?? 'unknown'),
          },
        }
      : {}),
    checks: [...scenario.checks],
    ...(run.evidence.size ? { evidence: [...run.evidence.keys()].sort() } : {}),
  };
}
