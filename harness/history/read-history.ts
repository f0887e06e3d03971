import { HISTORY_API_VERSION, type History } from './history.js';
import { HistoryError } from './history-error.js';

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean';

/** The parts a history must have, each with its type: what checkers and reports read blindly. */
const SHAPE: readonly [path: string, kind: Kind][] = [
  ['metadata', 'object'],
  ['metadata.scenario', 'object'],
  ['metadata.scenario.name', 'string'],
  ['metadata.seed', 'number'],
  ['metadata.provider', 'string'],
  ['metadata.topology', 'array'],
  ['metadata.tenants', 'array'],
  ['metadata.startedAt', 'string'],
  ['metadata.endedAt', 'string'],
  ['metadata.phases', 'array'],
  ['metadata.checks', 'array'],
  ['events', 'array'],
  ['series', 'object'],
  ['series.load', 'array'],
  ['series.workloads', 'array'],
  ['series.nodes', 'array'],
  ['series.api', 'array'],
  ['groundTruth', 'array'],
  ['durability', 'object'],
  ['durability.writes', 'array'],
  ['durability.finalReads', 'array'],
  ['isolation', 'array'],
];

/** Arrays whose every item must carry a numeric `t`, the time every checker selects by. */
const TIMED = ['events', 'series.load', 'series.workloads', 'series.nodes', 'series.api', 'groundTruth'];

/**
 * Reads a stored history (the text of history.json): checks its apiVersion and kind, then that
 * every part checkers and reports read is there with the right type, listing every problem at
 * once. Throws HistoryError; `file` names the text in messages.
 */
export function readHistory(text: string, file = 'history.json'): History {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HistoryError('HistoryNotJson', `${file} is not JSON: ${(e as Error).message}`);
  }
  if (kindOf(doc) !== 'object') throw new HistoryError('HistoryNotJson', `${file} is not a JSON object`);
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (apiVersion !== HISTORY_API_VERSION || kind !== 'History') {
    throw new HistoryError(
      'UnknownHistoryVersion',
      `${file} is not a history this crucible reads: it says apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)}; expected apiVersion "${HISTORY_API_VERSION}", kind "History"`,
    );
  }
  const problems: string[] = [];
  for (const [path, expected] of SHAPE) {
    const value = at(doc, path);
    const actual = kindOf(value);
    // A missing parent is reported once, for the parent.
    if (actual !== expected && kindOf(at(doc, parentOf(path))) === 'object')
      problems.push(
        value === undefined ? `${path} is missing` : `${path} should be ${article(expected)}, not ${actual}`,
      );
  }
  for (const path of TIMED) {
    const items = at(doc, path);
    if (!Array.isArray(items)) continue;
    const bad = items.findIndex((item) => typeof (item as { t?: unknown } | null)?.t !== 'number');
    if (bad >= 0) problems.push(`${path}[${bad}] has no numeric t`);
  }
  if (problems.length > 0) {
    throw new HistoryError(
      'InvalidHistory',
      `${file} is not a valid history:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    );
  }
  return doc as History;
}

function at(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  return path
    .split('.')
    .reduce<unknown>(
      (v, key) => (kindOf(v) === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      doc,
    );
}

function parentOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function article(kind: Kind): string {
  return kind === 'object' || kind === 'array' ? `an ${kind}` : `a ${kind}`;
}
