import type { Command } from 'commander';
import { SABOTAGES, sabotageFlag, sabotagesOfComponent, type Sabotages } from '../api/sabotage.js';

/** Adds a component's `--sabotage-*` switches (off by default) to its command. */
export function withSabotageFlags(cmd: Command, component: string): Command {
  for (const name of sabotagesOfComponent(component))
    cmd.option(sabotageFlag(name), `KNOWN BUG, for scenarios/sabotage only: ${SABOTAGES[name].breaks}`);
  return cmd;
}

/**
 * The switches turned on among a command's parsed flags (commander camel-cases
 * `--sabotage-foo-bar` into `sabotageFooBar`).
 */
export function sabotagesOf(flags: object, component: string): Sabotages {
  const on = new Set(
    sabotagesOfComponent(component).filter(
      (name) => (flags as Record<string, unknown>)[camel(`sabotage-${name}`)] === true,
    ),
  );
  return on;
}

/** Says loudly, once at start, that a component runs with a known bug. */
export function warnSabotaged(sabotages: Sabotages, log: { warn: (obj: object, msg: string) => void }): void {
  if (sabotages.size > 0)
    log.warn(
      { sabotage: [...sabotages] },
      'SABOTAGED: running with deliberate known bugs; never trust this cluster',
    );
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
