import type { OutputExpectation, StepExpectation } from './scenario.js';

/** What one kubectl call gave. */
export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Every way the output misses the expectation, in words (empty: it holds). Outputs are compared
 * trimmed; `lines` counts non-empty lines, or those matching `lines.matching`, or the different ones
 * (`lines.unique`).
 */
export function expectationMisses(expect: StepExpectation, output: CommandOutput): string[] {
  const misses: string[] = [];
  if (output.exitCode !== expect.exitCode)
    misses.push(`exit code ${output.exitCode}, expected ${expect.exitCode}`);
  if (expect.stdout) misses.push(...streamMisses('stdout', expect.stdout, output.stdout));
  if (expect.stderr) misses.push(...streamMisses('stderr', expect.stderr, output.stderr));
  return misses;
}

function streamMisses(name: string, expect: OutputExpectation, raw: string): string[] {
  const text = raw.trim();
  const misses: string[] = [];
  if (expect.equals !== undefined && text !== expect.equals.trim())
    misses.push(`${name} is ${quote(text)}, expected ${quote(expect.equals.trim())}`);
  for (const part of expect.contains ?? [])
    if (!text.includes(part)) misses.push(`${name} does not contain ${quote(part)}`);
  for (const part of expect.notContains ?? [])
    if (text.includes(part)) misses.push(`${name} contains ${quote(part)}`);
  if (expect.matches !== undefined && !new RegExp(expect.matches, 'm').test(text))
    misses.push(`${name} does not match /${expect.matches}/`);
  if (expect.lines) {
    const { min, max, equals, matching, unique } = expect.lines;
    const pattern = matching === undefined ? undefined : new RegExp(matching);
    const counted = text.split('\n').filter((line) => line.trim() !== '' && (!pattern || pattern.test(line)));
    const count = unique ? new Set(counted.map((line) => line.trim())).size : counted.length;
    const what = `${unique ? 'different ' : ''}${pattern ? `lines matching /${matching}/` : 'lines'}`;
    if (equals !== undefined && count !== equals)
      misses.push(`${name} has ${count} ${what}, expected ${equals}`);
    if (min !== undefined && count < min)
      misses.push(`${name} has ${count} ${what}, expected at least ${min}`);
    if (max !== undefined && count > max)
      misses.push(`${name} has ${count} ${what}, expected at most ${max}`);
  }
  return misses;
}

/** A value in a message: short outputs whole, long ones cut, so that a verdict stays readable. */
function quote(text: string): string {
  const shown = text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
  return JSON.stringify(shown);
}
