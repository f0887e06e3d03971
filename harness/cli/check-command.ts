import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { CHECK_SHAPES, checkSpecProblems, judge, overallOutcome } from '../checks/index.js';
import { readHistory, type CheckSpec } from '../history/index.js';
import { mergeRunFolders, renderFromDirectory } from '../../reports/index.js';
import { EXIT } from './run-command.js';
import { UsageError } from './usage-error.js';

/**
 * `crucible check history.json [--set CHECK.THRESHOLD=VALUE]…`: re-judges a stored run without
 * running anything (Jepsen's analyze), with the thresholds it declared or some of them changed.
 * The history file is left as it is.
 */
export function checkCommand(): Command {
  return new Command('check')
    .description('judge a stored history again, without running anything')
    .argument('<history>', 'a history.json')
    .option(
      '--set <check.threshold=value>',
      'judge with a threshold changed, e.g. availability.minSuccessRatio=0.5 (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (file: string, flags: { set: string[] }) => {
      const history = readHistory(await readFile(file, 'utf8'));
      const { checks, changes } = withThresholds(history.metadata.checks, flags.set);
      for (const change of changes) process.stdout.write(`${change}\n`);
      const verdicts = judge(history, checks);
      const mark = { pass: '✔', fail: '✘', unknown: '?' } as const;
      for (const v of verdicts)
        process.stdout.write(`${mark[v.outcome]} ${v.check}: ${v.summary}\n    required: ${v.threshold}\n`);
      process.exitCode = EXIT[overallOutcome(verdicts)];
    });
}

/**
 * The checks with the thresholds of `--set CHECK.THRESHOLD=VALUE` changed, each validated against
 * its check type's shape, and the changes in words (`availability: minSuccessRatio 0.95 → 0.5`).
 * Throws one UsageError listing every `--set` that cannot be used, and what there is instead.
 */
export function withThresholds(
  declared: readonly CheckSpec[],
  sets: readonly string[],
): { checks: CheckSpec[]; changes: string[] } {
  const checks = declared.map((c) => ({ ...c, thresholds: { ...c.thresholds } }));
  const problems: string[] = [];
  const changes: string[] = [];
  for (const set of sets) {
    const match = /^(.+)\.([^.=]+)=(.*)$/.exec(set);
    if (!match) {
      problems.push(`--set ${set}: write CHECK.THRESHOLD=VALUE, e.g. availability.minSuccessRatio=0.5`);
      continue;
    }
    const [, name, key, text] = match as unknown as [string, string, string, string];
    const check = checks.find((c) => c.name === name);
    if (!check) {
      const names = checks.map((c) => c.name);
      problems.push(
        `--set ${set}: the run has no check "${name}"; ${names.length ? `its checks: ${names.join(', ')}` : 'it declared no checks'}`,
      );
      continue;
    }
    const shape = Object.hasOwn(CHECK_SHAPES, check.type) ? CHECK_SHAPES[check.type] : undefined;
    if (!shape) {
      problems.push(
        `--set ${set}: check "${name}" is of type ${check.type}, which this crucible does not know`,
      );
      continue;
    }
    const value = text.trim() === '' ? NaN : Number(text);
    // The whole spec, so that a rule across keys sees the others; only this key's problems count.
    const given = Number.isFinite(value) ? value : text;
    const spec = {
      type: check.type,
      thresholds: { ...check.thresholds, [key]: given },
      select: check.select,
    };
    const own = checkSpecProblems(spec, shape)
      .filter((p) => p.path[1] === key)
      .map((p) => p.message);
    if (own.length > 0) {
      problems.push(...own.map((message) => `--set ${set}: ${message}`));
      continue;
    }
    const before = check.thresholds[key];
    changes.push(`${name}: ${key} ${before === undefined ? '(not set)' : String(before)} → ${value}`);
    check.thresholds[key] = value;
  }
  if (problems.length > 0) throw new UsageError('InvalidFlag', problems.join('\n'));
  return { checks, changes };
}

/**
 * `crucible report DIR|history.json`: renders the HTML reports again from stored histories.
 * `crucible report --merge DIR… [--out DIR]`: joins the output folders of a suite's shards
 * (`crucible run --shard i/n`) into one folder, one index, one score and one JUnit.
 */
export function reportCommand(): Command {
  return new Command('report')
    .description('render the reports again from stored histories, or merge the folders of shards')
    .argument('[path]', 'an output folder, a scenario or run folder, or a history.json')
    .option('--merge <dirs...>', "the shards' --out folders to join into one (crucible run --shard i/n)")
    .option('--out <dir>', 'with --merge: the folder to merge into', 'crucible-runs')
    .action(
      async (target: string | undefined, flags: { merge?: string[]; out: string }, command: Command) => {
        if (flags.merge) {
          if (target !== undefined)
            throw new UsageError(
              'InvalidFlag',
              `"${target}" stands before --merge: name every folder after it (crucible report --merge A B --out DIR)`,
            );
          const merged = await mergeRunFolders(flags.merge, flags.out);
          process.stdout.write(
            `merged ${flags.merge.length} folders: ${merged.scenarios.length} scenarios, score ${merged.score ?? '—'}\n` +
              `${merged.indexPage}\n${join(flags.out, 'junit.xml')}\n`,
          );
          for (const bad of merged.unreadable) process.stderr.write(`unreadable: ${bad}\n`);
          return;
        }
        if (target === undefined)
          throw new UsageError(
            'InvalidFlag',
            'name a folder or history.json to render, or --merge the folders of shards',
          );
        if (command.getOptionValueSource('out') === 'cli')
          throw new UsageError(
            'InvalidFlag',
            '--out goes with --merge; a report is rendered where its runs lie',
          );
        const result = await renderFromDirectory(target);
        for (const page of result.pages) process.stdout.write(`${page}\n`);
        for (const bad of result.unreadable) process.stderr.write(`unreadable: ${bad}\n`);
      },
    );
}
