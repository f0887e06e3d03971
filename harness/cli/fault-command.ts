import { Command } from 'commander';
import { parseDuration } from '../../orchestrator/api/duration.js';
import { openCluster } from '../cluster/index.js';
import { FAULTS, FaultInjector } from '../faults/index.js';
import { seededRandom, sleep } from '../support/index.js';
import { UsageError } from './usage-error.js';

interface InjectFlags {
  cluster: string;
  target: string;
  for?: string;
  seed?: string;
  set: string[];
}

/** `crucible fault inject|heal|ls`: hand-run faults on a cluster from `crucible up`. */
export function faultCommand(): Command {
  const fault = new Command('fault').description('inject and heal faults on a running cluster by hand');
  fault
    .command('inject')
    .description('inject a fault; with --for, heal it after that long (and on Ctrl-C)')
    .argument('<type>', `one of: ${Object.keys(FAULTS).join(', ')}`)
    .option('--cluster <name>', 'cluster name', 'crucible')
    .option(
      '--target <expr>',
      'a name (or several, comma-separated), random, one, minority, majority, all, leader, non-leader',
      'random',
    )
    .option('--for <duration>', 'heal after this long, e.g. 30s')
    .option('--seed <n>', 'seed of every random choice (default: random, printed)')
    .option(
      '--set <key=value>',
      "the fault's options, e.g. --set component=apiserver --set latencyMs=200",
      collect,
      [],
    )
    .action(async (type: string, flags: InjectFlags) => {
      const seed = flags.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(flags.seed);
      if (!Number.isInteger(seed))
        throw new UsageError('InvalidFlag', `--seed: "${flags.seed}" is not a whole number`);
      const holdMs = flags.for === undefined ? undefined : parseDuration(flags.for);
      const injector = await injectorFor(flags.cluster, seed);
      const record = await injector.inject(type, flags.target, parseOptions(flags.set));
      process.stdout.write(`injected ${record.id} on ${record.targets.join(', ')} (seed ${seed})\n`);
      if (holdMs === undefined) {
        process.stdout.write(`heal it with: crucible fault heal --cluster ${flags.cluster}\n`);
        return;
      }
      // Heal always runs: after the duration, or at once on Ctrl-C.
      const interrupted = new AbortController();
      process.once('SIGINT', () => interrupted.abort());
      process.once('SIGTERM', () => interrupted.abort());
      await sleep(holdMs, interrupted.signal);
      await injector.heal(record);
      process.stdout.write(`healed ${record.id}\n`);
    });
  fault
    .command('heal')
    .description(
      'heal every fault in force on the cluster (also what a crashed run left), then make sure it is whole',
    )
    .option('--cluster <name>', 'cluster name', 'crucible')
    .action(async (flags: { cluster: string }) => {
      const healed = await (await injectorFor(flags.cluster, 0)).healAll();
      process.stdout.write(
        `cluster "${flags.cluster}" healed${healed.length ? `: ${healed.map((r) => r.id).join(', ')}` : ''}\n`,
      );
    });
  fault
    .command('ls')
    .description('the faults there are, or with --cluster the faults in force on a cluster')
    .option('--cluster <name>', 'cluster name')
    .action(async (flags: { cluster?: string }) => {
      if (!flags.cluster) {
        for (const f of Object.values(FAULTS))
          process.stdout.write(`${f.type.padEnd(22)} ${f.description}\n`);
        return;
      }
      const active = await (await injectorFor(flags.cluster, 0)).list();
      if (active.length === 0) return void process.stdout.write('no faults in force\n');
      for (const r of active)
        process.stdout.write(
          `${r.id}  ${r.targets.join(',')}  since ${r.injectedAt}  ${JSON.stringify(r.options)}\n`,
        );
    });
  return fault;
}

/** The injector of a cluster from `crucible up`. */
async function injectorFor(name: string, seed: number): Promise<FaultInjector> {
  const cluster = await openCluster(name);
  return new FaultInjector({ cluster, random: seededRandom(seed) });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `key=value` pairs; a value that reads as JSON (a number, true, a list) is taken as such. */
function parseOptions(pairs: string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError('InvalidFlag', `--set: "${pair}" is not key=value`);
    const raw = pair.slice(eq + 1);
    try {
      options[pair.slice(0, eq)] = JSON.parse(raw);
    } catch {
      options[pair.slice(0, eq)] = raw.includes(',') ? raw.split(',') : raw;
    }
  }
  return options;
}
