import { expect } from 'chai';
import { buildIndexModel } from './index-model.js';
import { renderIndexPage, renderRunPage } from './render-html.js';
import { buildReportModel } from './report-model.js';
import { digestRun } from './run-digest.js';
import { abortedRun, failedRun, passingRun, tenMinuteRun } from './testdata/fixture-runs.js';
import { MAX_POINTS_PER_LINE } from './timeline-model.js';

const TWO_MB = 2 * 1024 * 1024;

/** The page's text as a browser shows it: handlebars escapes `=` and quotes as character references. */
function decoded(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Everything a page could fetch: src/href to a scheme or a protocol-relative URL, @import, url(...). */
function externalReferences(html: string): string[] {
  return [
    ...html.matchAll(/\s(?:src|href)="((?:[a-z]+:|\/\/)[^"]*)"/gi),
    ...html.matchAll(/@import[^;]*;|url\([^)]*\)/gi),
  ].map((m) => m[0]);
}

describe('renderRunPage', () => {
  it('keeps a 10-minute run under 2 MB with every line at most 600 points', function () {
    const { history, verdicts } = tenMinuteRun();
    expect(history.series.load).to.have.length(1200);
    expect(history.series.workloads).to.have.length(1800);
    expect(history.series.nodes).to.have.length(2400);
    expect(history.events).to.have.length(500);
    const html = renderRunPage(buildReportModel(history, verdicts));
    const bytes = Buffer.byteLength(html);
    this.test!.title += ` (${(bytes / 1024).toFixed(0)} KiB)`;
    expect(bytes).to.be.lessThan(TWO_MB);
    for (const [, d] of html.matchAll(/<path class="line[^"]*" stroke="[^"]*" d="([^"]*)"/g)) {
      expect((d.match(/[ML]/g) ?? []).length).to.be.at.most(MAX_POINTS_PER_LINE);
    }
  });

  it('still fits when a long run is downsampled', function () {
    const { history, verdicts } = tenMinuteRun();
    // The same run stretched to an hour: six times the samples.
    const stretch = <T extends { t: number }>(xs: T[]) =>
      [0, 1, 2, 3, 4, 5].flatMap((k) => xs.map((x) => ({ ...x, t: x.t + k * 600_000 })));
    const long = {
      ...history,
      metadata: { ...history.metadata, endedAt: '2025-03-01T11:00:00.000Z' },
      series: {
        load: stretch(history.series.load),
        workloads: stretch(history.series.workloads),
        nodes: stretch(history.series.nodes),
        api: stretch(history.series.api),
      },
    };
    const model = buildReportModel(long, verdicts);
    expect(model.timeline.downsampleNote).to.contain('600');
    const html = renderRunPage(model);
    this.test!.title += ` (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)`;
    expect(Buffer.byteLength(html)).to.be.lessThan(TWO_MB);
  });

  it('is one self-contained file: inline style, inline SVG, nothing fetched, no script', () => {
    const { history, verdicts } = failedRun();
    const html = renderRunPage(buildReportModel(history, verdicts));
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain('<style>');
    expect(html).to.not.match(/<script|<link|<img|<iframe/i);
    expect(externalReferences(html)).to.deep.equal([]);
    expect(html.match(/<svg class="timeline-chart"/g)).to.have.length(6);
  });

  it('shows the verdict table with colour classes and symbols, failures first', () => {
    const { history, verdicts } = failedRun();
    const html = renderRunPage(buildReportModel(history, verdicts));
    const rows = [
      ...html.matchAll(/<tr class="verdict-row (outcome-\w+)">\s*<td><strong>([^<]+)<\/strong>/g),
    ];
    expect(rows.map((r) => [r[1], r[2]])).to.deep.equal([
      ['outcome-fail', 'echo-available'],
      ['outcome-unknown', 'echo-latency'],
      ['outcome-pass', 'converges'],
      ['outcome-pass', 'echo-self-heals'],
    ]);
    expect(html).to.contain('<span aria-hidden="true">✘</span> fail');
    expect(html).to.contain('<span aria-hidden="true">?</span> unknown');
  });

  it('shows the aborted banner only for an aborted run', () => {
    const aborted = abortedRun();
    expect(renderRunPage(buildReportModel(aborted.history, aborted.verdicts))).to.contain(
      'class="aborted-banner" role="alert" id="aborted">⚠ Aborted during the faults phase: interrupted by SIGINT.',
    );
    const passing = passingRun();
    expect(renderRunPage(buildReportModel(passing.history, passing.verdicts))).to.not.contain(
      'aborted-banner"',
    );
  });

  it('escapes everything that comes from the history', () => {
    const { history, verdicts } = passingRun();
    history.metadata.scenario.description = '<script>alert(1)</script>';
    history.metadata.commandLine = ['crucible', 'run', '"><img src=x onerror=alert(1)>'];
    const html = renderRunPage(buildReportModel(history, verdicts));
    expect(html).to.not.contain('<script>alert');
    expect(html).to.not.contain('<img');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).to.contain('watch closed &lt;reopened&gt;');
  });

  it('renders the same bytes from the same inputs', () => {
    const { history, verdicts } = failedRun();
    expect(renderRunPage(buildReportModel(history, verdicts))).to.equal(
      renderRunPage(buildReportModel(structuredClone(history), structuredClone(verdicts))),
    );
  });
});

describe('renderIndexPage', () => {
  it('lists every scenario with its verdict, the score beside its formula, and a trend', () => {
    const runs = [passingRun('2025-01-01T00:00:00.000Z'), failedRun('2025-01-02T00:00:00.000Z')];
    const soak = tenMinuteRun();
    const model = buildIndexModel([
      {
        scenario: 'node-loss',
        href: 'node-loss/index.html',
        runs: runs.map((r, i) => ({
          digest: digestRun(r.history, r.verdicts),
          href: `node-loss/runs/${i}/index.html`,
        })),
      },
      {
        scenario: 'long-soak',
        href: 'long-soak/index.html',
        runs: [{ digest: digestRun(soak.history, soak.verdicts), href: null }],
      },
    ]);
    const html = renderIndexPage(model);
    expect(html).to.not.match(/<script|<link/i);
    expect(externalReferences(html)).to.deep.equal([]);
    const rows = [...html.matchAll(/<tr class="scenario-row (outcome-\w+)">\s*<td><a href="([^"]+)">/g)];
    expect(rows.map((r) => [r[1], r[2]])).to.deep.equal([
      ['outcome-fail', 'node-loss/index.html'],
      ['outcome-pass', 'long-soak/index.html'],
    ]);
    expect(decoded(html)).to.contain('100 × (2/4 + 4/4) ÷ 2 = 75');
    expect(decoded(html)).to.contain('score = 100 × the mean over scenarios');
    expect(html).to.contain('<a href="node-loss/runs/0/index.html">');
    expect(html).to.not.contain('id="sabotage-score"');
  });

  it('shows the sabotage score beside the resilience score, and leaves sabotage runs out of the latter', () => {
    const plain = passingRun('2025-01-01T00:00:00.000Z');
    // Caught: its one expected check failed with evidence, every other passed.
    const caught = passingRun('2025-01-02T00:00:00.000Z');
    const target = caught.verdicts[0]!;
    caught.verdicts[0] = { ...target, outcome: 'fail', evidence: [{ message: 'the cause, named' }] };
    caught.history.metadata.scenario.expect = { fails: target.check };
    // Missed: the check it expected to fail passed.
    const missed = passingRun('2025-01-03T00:00:00.000Z');
    missed.history.metadata.scenario.expect = { fails: target.check };
    const entry = (scenario: string, r: typeof plain) => {
      r.history.metadata.scenario.name = scenario;
      return {
        scenario,
        href: `${scenario}/index.html`,
        runs: [{ digest: digestRun(r.history, r.verdicts), href: null }],
      };
    };
    const model = buildIndexModel([
      entry('node-loss', plain),
      entry('sabotage-caught', caught),
      entry('sabotage-missed', missed),
    ]);
    expect(model.score.computation).to.equal('100 × (4/4) ÷ 1 = 100');
    expect(model.sabotage).to.include({ text: 'caught 1 of 2 known bugs', value: '1 / 2' });
    expect(model.sabotage!.notCaught).to.equal(
      `Not caught: sabotage-missed (missed; expected ${target.check} to fail).`,
    );
    const html = decoded(renderIndexPage(model));
    expect(html).to.contain('Sabotage score: caught 1 of 2 known bugs');
    const rows = [
      ...renderIndexPage(model).matchAll(/<tr class="scenario-row (outcome-\w+)">\s*<td><a href="([^"]+)">/g),
    ];
    expect(rows.map((r) => [r[1], r[2]])).to.deep.include.members([
      ['outcome-pass', 'sabotage-caught/index.html'],
      ['outcome-fail', 'sabotage-missed/index.html'],
    ]);
  });
});
