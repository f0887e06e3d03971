/**
 * JUnit XML for CI: one `<testsuite>` per scenario run, one `<testcase>` per check, failures first.
 * A failed check is a `<failure>`; a check that could not be judged is an `<error>` (the run could
 * not say, which CI should not read as a pass); the message puts the measured figure beside the
 * threshold. A sabotage run is one `<testcase>`, its judgement against `expect`: it passes when the
 * known bug was caught, so CI stays green exactly when the checks catch what they should.
 */
import type { History } from '../harness/history/history.js';
import type { Verdict } from '../harness/checks/verdict.js';
import { judgeExpectation } from '../harness/checks/expected-outcome.js';
import { formatMeasured, formatOffset } from './format.js';
import { judgedChecks } from './judged-checks.js';
import { runEndT } from './run-span.js';

/** One run to report: its history and the verdicts on it. */
export interface JudgedRun {
  history: History;
  verdicts: readonly Verdict[];
}

/** The JUnit XML document for the runs, each run a testsuite named after its scenario. */
export function renderJUnit(runs: readonly JudgedRun[]): string {
  const suites = runs.map(testsuite);
  const total = (k: keyof SuiteCounts) => suites.reduce((n, s) => n + s.counts[k], 0);
  const time = suites.reduce((n, s) => n + s.seconds, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="crucible" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" time="${seconds(time)}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
}

function testsuite({ history, verdicts }: JudgedRun): { xml: string; counts: SuiteCounts; seconds: number } {
  const m = history.metadata;
  const judged = sabotageCase(history, judgedChecks(history, verdicts));
  const counts: SuiteCounts = {
    tests: judged.length,
    failures: judged.filter((v) => v.outcome === 'fail').length,
    errors: judged.filter((v) => v.outcome === 'unknown').length,
  };
  const duration = runEndT(history) / 1000;
  const properties: [string, string][] = [
    ['seed', String(m.seed)],
    ['commit', m.crucible.dirty ? `${m.crucible.commit}+dirty` : m.crucible.commit],
    ['crucible.version', m.crucible.version],
    ['scenario.file', m.scenario.file],
    ['scenario.hash', m.scenario.hash],
    ['provider', m.provider],
    ['commandLine', m.commandLine.join(' ')],
  ];
  if (m.aborted) properties.push(['aborted', `${m.aborted.phase}: ${m.aborted.reason}`]);
  const lines = [
    `  <testsuite name="${escapeXmlAttr(m.scenario.name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="0" timestamp="${escapeXmlAttr(m.startedAt)}" time="${seconds(duration)}">`,
    '    <properties>',
    ...properties.map(
      ([name, value]) => `      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}"/>`,
    ),
    '    </properties>',
    ...judged.map((v) => testcase(m.scenario.name, v)),
  ];
  if (m.aborted) {
    lines.push(
      `    <system-err>${escapeXmlText(`The run was aborted during the ${m.aborted.phase} phase: ${m.aborted.reason}`)}</system-err>`,
    );
  }
  lines.push('  </testsuite>');
  return { xml: lines.join('\n'), counts, seconds: duration };
}

/** The checks of a run, or for a sabotage run its one judgement against `expect`, as a verdict. */
function sabotageCase(history: History, judged: readonly Verdict[]): readonly Verdict[] {
  const expected = history.metadata.scenario.expect;
  if (!expected) return judged;
  const e = judgeExpectation(expected, judged);
  const named = judged.find((v) => v.check === expected.fails);
  return [
    {
      check: `sabotage caught by ${expected.fails}`,
      type: named?.type ?? 'steps',
      window: named?.window ?? 'whole-run',
      threshold: `${expected.fails} fails with evidence, and no other check does`,
      measured: null,
      unit: '',
      outcome: e.outcome,
      summary: e.summary,
      evidence: e.evidence,
    },
  ];
}

function testcase(scenario: string, v: Verdict): string {
  const open = `    <testcase name="${escapeXmlAttr(v.check)}" classname="${escapeXmlAttr(`${scenario}.${v.type}`)}"`;
  if (v.outcome === 'pass') return `${open}/>`;
  const message = `measured ${formatMeasured(v.measured, v.unit)}; threshold ${v.threshold}`;
  const body = [
    v.summary,
    `window: ${typeof v.window === 'object' ? `during ${v.window.during}` : v.window}${v.span ? ` (${formatOffset(v.span[0])}–${formatOffset(v.span[1])})` : ''}`,
    ...v.evidence.map((e) => `${e.t === undefined ? '' : `[${formatOffset(e.t)}] `}${e.message}`),
  ].join('\n');
  const element = v.outcome === 'fail' ? 'failure' : 'error';
  return [
    `${open}>`,
    `      <${element} message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(v.type)}">${escapeXmlText(body)}</${element}>`,
    '    </testcase>',
  ].join('\n');
}

function seconds(s: number): string {
  return s.toFixed(3);
}

// XML 1.0 allows only tab, newline and carriage return below U+0020, no lone surrogates, and not
// U+FFFE/U+FFFF; such characters cannot even be escaped, so they become U+FFFD.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text content. */
export function escapeXmlText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double-quoted); line breaks are kept as character references. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
