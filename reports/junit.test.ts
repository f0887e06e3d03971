import { expect } from 'chai';
import { renderJUnit } from './junit.js';
import { abortedRun, failedRun, passingRun } from './testdata/fixture-runs.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * Just enough of an XML parser to read JUnit back: elements, attributes, text, the five named
 * entities and numeric character references; throws on anything malformed, so a rendering bug
 * that breaks well-formedness fails the test.
 */
function parseXml(xml: string): XmlElement {
  const decode = (s: string) =>
    s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
      if (e[0] === '#')
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e] as string;
    });
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  if (/&(?!(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);)/i.test(body)) throw new Error('bare & in XML');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([\w.-]+)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, close, name, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      top.text += decode(text);
      continue;
    }
    if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w.-]+)="([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
    const element: XmlElement = { name, attrs, children: [], text: '' };
    top.children.push(element);
    if (!selfClose) stack.push(element);
  }
  if (consumed !== body.length)
    throw new Error(`unparsable XML at ${consumed}: ${body.slice(consumed, consumed + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error('not one root element');
  return root.children[0];
}

const all = (e: XmlElement, name: string): XmlElement[] => e.children.filter((c) => c.name === name);

describe('renderJUnit', () => {
  const runs = [passingRun(), failedRun(), abortedRun()];
  const doc = parseXml(renderJUnit(runs));

  it('has one testsuite per scenario run and one testcase per declared check', () => {
    expect(doc.name).to.equal('testsuites');
    const suites = all(doc, 'testsuite');
    expect(suites).to.have.length(3);
    for (const [i, suite] of suites.entries()) {
      expect(suite.attrs.name).to.equal('node-loss');
      expect(all(suite, 'testcase')).to.have.length(runs[i].history.metadata.checks.length);
      expect(suite.attrs.tests).to.equal('4');
    }
    expect(doc.attrs).to.include({ tests: '12', failures: '1', errors: '4' });
  });

  it('counts failures and errors per suite', () => {
    const [passing, failed, aborted] = all(doc, 'testsuite');
    expect(passing.attrs).to.include({ failures: '0', errors: '0' });
    expect(failed.attrs).to.include({ failures: '1', errors: '1' });
    expect(aborted.attrs).to.include({ failures: '0', errors: '3' });
  });

  it('puts failures first, then errors, with measured beside threshold', () => {
    const failed = all(doc, 'testsuite')[1];
    const cases = all(failed, 'testcase');
    expect(cases.map((c) => c.attrs.name)).to.deep.equal([
      'echo-available',
      'echo-latency',
      'converges',
      'echo-self-heals',
    ]);
    const [failure] = all(cases[0], 'failure');
    expect(failure.attrs.message).to.equal(
      'measured 70%; threshold success ratio ≥ 99%, longest error burst ≤ 2 s',
    );
    expect(failure.attrs.type).to.equal('availability');
    expect(failure.text)
      .to.contain('Three in ten requests')
      .and.contain('[1:13] error burst of 33 s <longest>');
    const [error] = all(cases[1], 'error');
    expect(error.attrs.message).to.equal('measured not measured; threshold p99 ≤ 250 ms');
    expect(error.text).to.contain('TypeError & friends');
    expect(cases[2].children).to.deep.equal([]);
    expect(cases[0].attrs.classname).to.equal('node-loss.availability');
  });

  it('records how to reproduce the run, and the abort', () => {
    const aborted = all(doc, 'testsuite')[2];
    const props = Object.fromEntries(
      all(all(aborted, 'properties')[0], 'property').map((p) => [p.attrs.name, p.attrs.value]),
    );
    expect(props).to.include({
      seed: '1234',
      commit: '9f8e7d6c5b4a+dirty',
      aborted: 'faults: interrupted by SIGINT',
    });
    expect(all(aborted, 'system-err')[0].text).to.contain('aborted during the faults phase');
    expect(aborted.attrs.timestamp).to.equal('2025-03-01T12:00:00.000Z');
  });

  it('escapes markup, quotes and characters XML cannot hold', () => {
    const { history, verdicts } = failedRun();
    const name = `a&b <c> "d" 'e'\u0001`;
    history.metadata.scenario.name = name;
    history.metadata.checks[1].name = 'quote"check';
    verdicts[1].check = 'quote"check';
    verdicts[1].summary = 'bad ]]> <![CDATA[ & \u0007 line\nbreak';
    const xml = renderJUnit([{ history, verdicts }]);
    const suite = all(parseXml(xml), 'testsuite')[0];
    expect(suite.attrs.name).to.equal(`a&b <c> "d" 'e'\uFFFD`);
    const [first] = all(suite, 'testcase');
    expect(first.attrs.name).to.equal('quote"check');
    expect(all(first, 'failure')[0].text).to.contain('bad ]]> <![CDATA[ & \uFFFD line\nbreak');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(xml).to.not.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('renders an empty document for no runs', () => {
    expect(parseXml(renderJUnit([])).attrs).to.include({ tests: '0', failures: '0', errors: '0' });
  });

  it('reports a sabotage run as one test case, passing when its expected check failed with evidence', () => {
    const caught = passingRun();
    const target = caught.verdicts[0]!;
    caught.verdicts[0] = { ...target, outcome: 'fail', evidence: [{ message: 'the cause, named' }] };
    caught.history.metadata.scenario.expect = { fails: target.check };
    const missed = passingRun();
    missed.history.metadata.scenario.expect = { fails: target.check };
    const suites = all(parseXml(renderJUnit([caught, missed])), 'testsuite');
    const cases = suites.map((s) => s.children.filter((c) => c.name === 'testcase'));
    expect(cases.map((c) => c.map((t) => t.attrs.name))).to.deep.equal([
      [`sabotage caught by ${target.check}`],
      [`sabotage caught by ${target.check}`],
    ]);
    expect(cases[0]![0]!.children).to.deep.equal([]);
    expect(cases[1]![0]!.children.map((c) => c.name)).to.deep.equal(['failure']);
    expect(suites.map((s) => s.attrs.failures)).to.deep.equal(['0', '1']);
  });
});
