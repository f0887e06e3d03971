import { expect } from 'chai';
import type { HistoryEvent } from '../harness/history/history.js';
import { buildReportModel, MAX_EVENT_ROWS } from './report-model.js';
import { digestRun } from './run-digest.js';
import { abortedRun, failedRun, passingRun } from './testdata/fixture-runs.js';

type Inject = Extract<HistoryEvent, { type: 'fault-inject' }>;
type Heal = Extract<HistoryEvent, { type: 'fault-heal' }>;

describe('buildReportModel', () => {
  describe('a passing run', () => {
    const { history, verdicts } = passingRun();
    const model = buildReportModel(history, verdicts);

    it('passes, with every verdict row a pass carrying its symbol', () => {
      expect(model.outcome.outcome).to.equal('pass');
      expect(model.verdicts.map((v) => [v.outcome.outcome, v.outcome.symbol])).to.deep.equal([
        ['pass', '✔'],
        ['pass', '✔'],
        ['pass', '✔'],
        ['pass', '✔'],
      ]);
      expect(model.aborted).to.equal(null);
    });

    it('keeps the declared order of checks among equal outcomes', () => {
      expect(model.verdicts.map((v) => v.check)).to.deep.equal(history.metadata.checks.map((c) => c.name));
    });

    it('shades the fault window from its inject to its heal on the shared time axis', () => {
      const inject = history.events.find((e): e is Inject => e.type === 'fault-inject')!;
      const heal = history.events.find((e): e is Heal => e.type === 'fault-heal')!;
      const { spanMs, plotLeft, plotRight } = model.timeline;
      const xOf = (t: number) => plotLeft + (t / spanMs) * (plotRight - plotLeft);
      const [window] = model.timeline.faultBand.windows;
      expect(spanMs).to.equal(120_000);
      expect(window.x).to.be.closeTo(xOf(inject.t), 0.1);
      expect(window.x + window.width).to.be.closeTo(xOf(heal.t), 0.2);
      expect(window.className).to.equal('fault-window');
      expect(window.label).to.contain('lose-worker-2').and.contain('node-loss');
      for (const chart of [...model.timeline.charts, ...model.timeline.lanes]) {
        expect(chart.faults, chart.id).to.have.length(1);
        expect(chart.faults[0].x, chart.id).to.equal(window.x);
      }
    });

    it('draws every chart of the timeline', () => {
      expect(model.timeline.charts.map((c) => c.id)).to.deep.equal([
        'request-rate',
        'error-rate',
        'latency',
        'ready-replicas',
      ]);
      expect(model.timeline.lanes.map((c) => c.id)).to.deep.equal(['node-readiness', 'api-availability']);
      for (const chart of model.timeline.charts) expect(chart.empty, chart.id).to.equal(false);
      const nodes = model.timeline.lanes[0];
      expect(nodes.lanes.map((l) => l.label)).to.deep.equal(['worker-1', 'worker-2', 'worker-3']);
      expect(nodes.lanes[1].segments.map((s) => s.className)).to.deep.equal([
        'lane-ok',
        'lane-unknown',
        'lane-ok',
      ]);
    });

    it('measures detection from the inject and recovery from the heal', () => {
      expect(model.recovery.rows).to.have.length(1);
      expect(model.recovery.rows[0].timeToDetect).to.equal('1 s');
      expect(model.recovery.rows[0].timeToHeal).to.equal('< 1 s');
      expect(model.recovery.rows[0].failedRequests).to.equal('10');
    });

    it('records the heal in the clean-up ledger', () => {
      expect(model.cleanup.allHealed).to.equal(true);
      expect(model.cleanup.rows).to.deep.include({
        fault: 'lose-worker-2',
        type: 'node-loss',
        targets: 'worker-2',
        injectedAt: '0:40',
        injectOk: '✔',
        healedAt: '1:10',
        healOk: '✔',
        verifiedBy: 'node Ready again',
        error: null,
        className: 'outcome-pass',
      });
    });

    it('gives what is needed to reproduce the run', () => {
      expect(model.reproduce.seed).to.equal('1234');
      expect(model.reproduce.commitLabel).to.equal('9f8e7d6c5b4a + uncommitted changes');
      expect(model.reproduce.commandLine).to.equal(
        "crucible run scenarios/chaos/node-loss.yaml --seed 1234 --out 'out dir'",
      );
      expect(model.reproduce.scenarioHash).to.equal(history.metadata.scenario.hash);
    });

    it('offers one event filter per event type present', () => {
      const types = new Set(history.events.map((e) => e.type));
      expect(model.events.filters.map((f) => f.type)).to.have.members([...types]);
      expect(model.events.rows).to.have.length(history.events.length);
      expect(model.events.truncatedNote).to.equal(null);
    });

    it('says in plain words that it passed', () => {
      expect(model.summary).to.match(/^Scenario “node-loss” passed: 4 of 4 checks passed\./);
      expect(model.summary).to.contain('node-loss on worker-2 from 0:40 to 1:10');
    });
  });

  describe('a run with a failed check', () => {
    const { history, verdicts } = failedRun();
    const model = buildReportModel(history, verdicts);

    it('fails', () => {
      expect(model.outcome).to.deep.equal({
        outcome: 'fail',
        symbol: '✘',
        label: 'fail',
        className: 'outcome-fail',
      });
    });

    it('lists failures first, then unknowns, then passes in declared order', () => {
      expect(model.verdicts.map((v) => [v.check, v.outcome.outcome])).to.deep.equal([
        ['echo-available', 'fail'],
        ['echo-latency', 'unknown'],
        ['converges', 'pass'],
        ['echo-self-heals', 'pass'],
      ]);
    });

    it('writes the measured figure in its unit beside the threshold, with the evidence', () => {
      const [failed, unknown] = model.verdicts;
      expect(failed.measured).to.equal('70%');
      expect(failed.threshold).to.equal('success ratio ≥ 99%, longest error burst ≤ 2 s');
      expect(failed.window).to.equal('during lose-worker-2');
      expect(failed.span).to.equal('0:40–1:10');
      expect(failed.evidence).to.deep.equal([
        { t: '0:41', message: 'first failed request (timeout)' },
        { t: '1:13', message: 'error burst of 33 s <longest>' },
      ]);
      expect(unknown.measured).to.equal('not measured');
      expect(unknown.outcome.symbol).to.equal('?');
    });

    it('names the failed check and why in the summary', () => {
      expect(model.summary).to.contain('1 failed (“echo-available”)');
      expect(model.summary).to.contain('Three in ten requests to echo timed out while worker-2 was lost');
      expect(model.summary).to.contain('1 could not be judged (“echo-latency”)');
    });

    it('measures recovery from the end of the error burst after heal', () => {
      expect(model.recovery.rows[0].timeToDetect).to.equal('1 s');
      expect(model.recovery.rows[0].timeToHeal).to.equal('4 s');
      expect(model.keyFigures.find((f) => f.label === 'Worst time to heal')?.value).to.equal('4 s');
    });

    it('stacks the failures by kind', () => {
      const errors = model.timeline.charts.find((c) => c.id === 'error-rate')!;
      expect(errors.bands.map((b) => b.label)).to.deep.equal(['timeout']);
      expect(errors.bands[0].path).to.match(/^M.*Z$/);
    });
  });

  describe('an aborted run', () => {
    const { history, verdicts } = abortedRun();
    const model = buildReportModel(history, verdicts);

    it('carries the abort for the banner', () => {
      expect(model.aborted).to.deep.equal({ phase: 'faults', reason: 'interrupted by SIGINT' });
      expect(model.summary).to.contain('aborted during the faults phase (interrupted by SIGINT)');
    });

    it('judges declared checks without a verdict as unknown', () => {
      expect(model.verdicts.map((v) => [v.check, v.outcome.outcome])).to.deep.equal([
        ['converges', 'unknown'],
        ['echo-latency', 'unknown'],
        ['echo-self-heals', 'unknown'],
        ['echo-available', 'pass'],
      ]);
      expect(model.verdicts[1].summary).to.contain('No verdict was recorded');
    });

    it('shades a fault with no heal to the end of the run and marks it', () => {
      const [window] = model.timeline.faultBand.windows;
      expect(window.className).to.equal('fault-window unhealed');
      expect(window.x + window.width).to.be.closeTo(model.timeline.plotRight, 0.2);
      expect(model.timeline.charts[0].faults[0].className).to.equal('fault-window unhealed');
    });

    it('shows the missing heal in the clean-up ledger and the key figures', () => {
      expect(model.cleanup.allHealed).to.equal(false);
      expect(model.cleanup.rows[0]).to.include({ healedAt: 'never', healOk: '✘', className: 'outcome-fail' });
      expect(model.cleanup.note).to.contain('1 fault has no successful heal');
      expect(model.keyFigures.find((f) => f.label === 'Worst time to heal')?.value).to.equal('not healed');
      expect(model.summary).to.contain('No heal was recorded for lose-worker-2.');
    });

    it('records the aborted phase in the lifecycle', () => {
      expect(model.phases.find((p) => p.name === 'faults')).to.include({ outcome: 'aborted' });
      expect(model.phases.map((p) => p.name)).to.not.include('recovery');
    });
  });

  describe('trends', () => {
    it('shows no trend for a first run', () => {
      const { history, verdicts } = passingRun();
      expect(buildReportModel(history, verdicts).trend).to.equal(null);
    });

    it('shows earlier runs oldest first, then this run, marked', () => {
      const earlier = [failedRun('2025-02-01T00:00:00.000Z'), passingRun('2025-01-01T00:00:00.000Z')].map(
        (r, i) => ({
          digest: digestRun(r.history, r.verdicts),
          href: `../run-${i}/index.html`,
        }),
      );
      const { history, verdicts } = passingRun('2025-03-01T00:00:00.000Z');
      const trend = buildReportModel(history, verdicts, earlier).trend!;
      expect(trend.cells.map((c) => [c.symbol, c.current, c.href])).to.deep.equal([
        ['✔', false, '../run-1/index.html'],
        ['✘', false, '../run-0/index.html'],
        ['✔', true, null],
      ]);
      expect(trend.recoveryDots).to.have.length(3);
      expect(trend.hasRecovery).to.equal(true);
    });
  });

  it('keeps the faults, phases and errors when a long event log is cut', () => {
    const { history, verdicts } = passingRun();
    const pods: HistoryEvent[] = Array.from({ length: MAX_EVENT_ROWS + 500 }, (_, i) => ({
      t: 1000 + i,
      type: 'pod',
      namespace: 'default',
      name: `p-${i}`,
      change: 'created',
    }));
    const events = [...history.events, ...pods].sort((a, b) => a.t - b.t);
    const model = buildReportModel({ ...history, events }, verdicts);
    expect(model.events.rows).to.have.length(MAX_EVENT_ROWS);
    expect(model.events.rows.filter((r) => r.type === 'fault-inject')).to.have.length(1);
    expect(model.events.rows.filter((r) => r.type === 'fault-heal')).to.have.length(1);
    expect(model.events.truncatedNote).to.contain(`of ${events.length.toLocaleString('en-US')} events`);
  });

  it('renders the same model from the same inputs', () => {
    const { history, verdicts } = failedRun();
    expect(JSON.stringify(buildReportModel(history, verdicts))).to.equal(
      JSON.stringify(buildReportModel(structuredClone(history), structuredClone(verdicts))),
    );
  });
});
