import { sleep, systemTimers } from '../../orchestrator/api/client/timer-scheduler.js';
import type { StepEvent } from '../history/history.js';
import type { KubectlStep, ScenarioStep, StepExpectation } from '../scenario/scenario.js';
import { expectationMisses, type CommandOutput } from '../scenario/step-expectation.js';

/** How a step's kubectl call runs: the real kubectl in a run, a fake in the runner's unit test. */
export type KubectlCall = (
  args: string[],
  options: { as?: string; stdin?: string; timeoutMs: number; signal: AbortSignal },
) => Promise<CommandOutput>;

export interface StepsContext {
  kubectl: KubectlCall;
  /** Milliseconds since the run started. */
  now: () => number;
  record: (event: StepEvent) => void;
  progress: (line: string) => void;
  signal: AbortSignal;
}

/** Between two tries of an eventually-step. */
const RETRY_INTERVAL_MS = 250;
/** Output kept in a failed step's detail. */
const DETAIL_OUTPUT_CHARS = 600;

/**
 * Runs a scenario's steps in order, as a conformance test runs its statements (`${name}` in args,
 * stdin and expectations is what an earlier step captured): each kubectl call
 * must meet its expectation (at once, or within `eventually`); the first that does not fails, and
 * the steps after it are recorded as skipped. An always-step runs in the background from where it
 * stands until its `until` step has finished, and fails if any sample missed. Every step ends in
 * exactly one StepEvent. Never throws: a step's failure is a check's business, not the harness's.
 */
export async function runSteps(steps: readonly ScenarioStep[], ctx: StepsContext): Promise<void> {
  const captured = new Map<string, string>();
  const finished = new Map(steps.map((s) => [s.id, deferred()]));
  const background: Promise<void>[] = [];
  let stopReason: string | undefined;
  for (const step of steps) {
    if (ctx.signal.aborted) stopReason ??= 'the run was aborted';
    if (stopReason !== undefined) {
      ctx.record({ ...skipped(step, ctx.now()), detail: `not run: ${stopReason}` });
    } else if (step.kind === 'kubectl' && step.always) {
      background.push(runAlways(step, step.always, finished.get(step.always.until)!.promise, captured, ctx));
    } else {
      const passed = await runForeground(step, captured, ctx);
      if (!passed) stopReason = `step ${step.id} failed`;
    }
    finished.get(step.id)!.resolve();
  }
  for (const f of finished.values()) f.resolve();
  await Promise.all(background);
}

async function runForeground(
  step: ScenarioStep,
  captured: Map<string, string>,
  ctx: StepsContext,
): Promise<boolean> {
  const start = ctx.now();
  if (step.kind === 'sleep') {
    await sleep(systemTimers, step.ms, ctx.signal);
    ctx.record(event(step, start, ctx.now(), 'passed', 1));
    return true;
  }
  let attempts = 0;
  let lastMiss = '';
  const deadline = start + (step.eventuallyMs ?? 0);
  for (;;) {
    attempts++;
    const tried = await tryOnce(step, captured, ctx);
    if (tried.ok) {
      if (step.capture) captured.set(step.capture, tried.output.stdout.trim());
      ctx.record(event(step, start, ctx.now(), 'passed', attempts, captured));
      ctx.progress(`step ${step.id} passed`);
      return true;
    }
    lastMiss = tried.miss;
    if (ctx.now() + RETRY_INTERVAL_MS > deadline || ctx.signal.aborted || tried.fatal) break;
    await sleep(systemTimers, RETRY_INTERVAL_MS, ctx.signal);
  }
  const within = step.eventuallyMs ? ` (still after ${attempts} tries in ${step.eventuallyMs} ms)` : '';
  ctx.record({ ...event(step, start, ctx.now(), 'failed', attempts, captured), detail: lastMiss + within });
  ctx.progress(`step ${step.id} FAILED: ${lastMiss.split('\n')[0]}`);
  return false;
}

/** Samples the expectation until `until` has finished (at least once); the first miss fails it. */
async function runAlways(
  step: KubectlStep,
  always: { until: string; intervalMs: number },
  untilFinished: Promise<void>,
  captured: Map<string, string>,
  ctx: StepsContext,
): Promise<void> {
  const start = ctx.now();
  let over = false;
  void untilFinished.then(() => (over = true));
  let attempts = 0;
  const misses: { t: number; miss: string }[] = [];
  do {
    attempts++;
    const t = ctx.now();
    const tried = await tryOnce(step, captured, ctx);
    if (!tried.ok) {
      misses.push({ t, miss: tried.miss });
      if (tried.fatal) break;
    }
    await Promise.race([sleep(systemTimers, always.intervalMs, ctx.signal), untilFinished]);
  } while (!over && !ctx.signal.aborted);
  const outcome = misses.length ? 'failed' : 'passed';
  const first = misses[0];
  ctx.record({
    ...event(step, start, ctx.now(), outcome, attempts, captured),
    ...(first
      ? {
          detail: `${misses.length} of ${attempts} samples until ${always.until} finished missed; the first, ${formatSeconds(first.t - start)} in: ${first.miss}`,
        }
      : {}),
  });
  ctx.progress(`step ${step.id} ${outcome === 'passed' ? 'held' : 'FAILED'} over ${attempts} samples`);
}

type Try = { ok: true; output: CommandOutput } | { ok: false; miss: string; fatal: boolean };

async function tryOnce(step: KubectlStep, captured: Map<string, string>, ctx: StepsContext): Promise<Try> {
  let args: string[];
  let stdin: string | undefined;
  let expectation: StepExpectation;
  try {
    args = step.args.map((a) => substitute(a, captured));
    stdin = step.stdin === undefined ? undefined : substitute(step.stdin, captured);
    expectation = substituteStrings(step.expect, captured);
  } catch (e) {
    return { ok: false, miss: (e as Error).message, fatal: true };
  }
  const output = await ctx.kubectl(args, {
    ...(step.as ? { as: step.as } : {}),
    ...(stdin === undefined ? {} : { stdin }),
    timeoutMs: step.timeoutMs,
    signal: ctx.signal,
  });
  const misses = expectationMisses(expectation, output);
  if (misses.length === 0) return { ok: true, output };
  return {
    ok: false,
    fatal: false,
    miss: [misses.join('; '), shown('stdout', output.stdout), shown('stderr', output.stderr)]
      .filter(Boolean)
      .join('\n'),
  };
}

/** `${name}` → what step output `name` captured; a name nothing captured is the step's failure. */
function substitute(text: string, captured: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g, (_, name: string) => {
    const value = captured.get(name);
    if (value === undefined) throw new Error(`\${${name}}: no earlier step captured "${name}"`);
    return value;
  });
}

/** The same structure with `${name}` substituted in every string of it. */
function substituteStrings<T>(value: T, captured: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return substitute(value, captured) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substituteStrings(v, captured)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteStrings(v, captured)]),
    ) as T;
  return value;
}

function event(
  step: ScenarioStep,
  start: number,
  end: number,
  outcome: StepEvent['outcome'],
  attempts: number,
  captured?: ReadonlyMap<string, string>,
): StepEvent {
  return {
    t: start,
    type: 'step',
    step: step.id,
    action: action(step, captured),
    outcome,
    durationMs: end - start,
    attempts,
  };
}

function skipped(step: ScenarioStep, t: number): StepEvent {
  return {
    t,
    type: 'step',
    step: step.id,
    action: action(step),
    outcome: 'skipped',
    durationMs: 0,
    attempts: 0,
  };
}

/** The step as a command line, with what was substituted where it could be. */
function action(step: ScenarioStep, captured?: ReadonlyMap<string, string>): string {
  if (step.kind === 'sleep') return `sleep ${step.ms % 1000 ? `${step.ms}ms` : `${step.ms / 1000}s`}`;
  const args = step.args.map((a) => {
    try {
      return captured ? substitute(a, captured) : a;
    } catch {
      return a;
    }
  });
  const line = `kubectl ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
  const who = step.as ? ` (as ${step.as})` : '';
  return (line.length > 240 ? `${line.slice(0, 240)}…` : line) + who;
}

function shown(name: string, text: string): string {
  const t = text.trim();
  if (!t) return '';
  return `${name}: ${t.length > DETAIL_OUTPUT_CHARS ? `${t.slice(0, DETAIL_OUTPUT_CHARS)}…` : t}`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
