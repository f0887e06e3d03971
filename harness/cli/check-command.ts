import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { judge, overallOutcome } from '../checks/index.js';
import { readHistory } from '../history/index.js';
import { renderFromDirectory } from '../../reports/index.js';
import { EXIT } from './run-command.js';

/** `crucible check history.json`: re-judges a stored run without running anything (Jepsen's analyze). */
export function checkCommand(): Command {
  return new Command('check')
    .description('judge a stored history again, without running anything')
    .argument('<history>', 'a history.json')
    .action(async (file: string) => {
      const history = readHistory(await readFile(file, 'utf8'));
      const verdicts = judge(history);
      const mark = { pass: '✔', fail: '✘', unknown: '?' } as const;
      for (const v of verdicts) process.stdout.write(`${mark[v.outcome]} ${v.check}: ${v.summary}\n`);
      process.exitCode = EXIT[overallOutcome(verdicts)];
    });
}

/** `crucible report DIR|history.json`: renders the HTML reports again from stored histories. */
export function reportCommand(): Command {
  return new Command('report')
    .description('render the reports again from stored histories')
    .argument('<path>', 'an output folder, a scenario or run folder, or a history.json')
    .action(async (path: string) => {
      const result = await renderFromDirectory(path);
      for (const page of result.pages) process.stdout.write(`${page}\n`);
      for (const bad of result.unreadable) process.stderr.write(`unreadable: ${bad}\n`);
    });
}
