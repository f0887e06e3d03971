/**
 * The stylesheet both pages inline. System fonts only: the page opens offline and looks the same
 * without any download. The event log's filters are CSS (`:has`), so they work without a script.
 */
export const STYLES = `
:root {
  --ok: #1a7f37; --ok-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9; --unknown: #9a6700; --unknown-bg: #fff8c5;
  --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg-soft: #f6f8fa; --fault: #fb8f44;
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); max-width: 1200px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
h1 { font-size: 24px; margin: 0 0 4px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 14px; margin: 16px 0 4px; }
a { color: #0969da; }
.meta { color: var(--muted); margin: 0 0 12px; }
.tag { display: inline-block; padding: 0 8px; border-radius: 10px; background: var(--bg-soft); border: 1px solid var(--border); font-size: 12px; margin-right: 4px; }
.badge { display: inline-flex; gap: 6px; align-items: center; padding: 1px 10px; border-radius: 12px; font-weight: 600; font-size: 13px; white-space: nowrap; }
.badge.outcome-pass { background: var(--ok-bg); color: var(--ok); }
.badge.outcome-fail { background: var(--bad-bg); color: var(--bad); }
.badge.outcome-unknown { background: var(--unknown-bg); color: var(--unknown); }
h1 .badge { font-size: 15px; }
.aborted-banner { border: 2px solid var(--bad); background: var(--bad-bg); color: var(--bad); padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
.summary { font-size: 15px; background: var(--bg-soft); border-left: 4px solid var(--border); padding: 10px 14px; margin: 12px 0; }
.summary.outcome-pass { border-left-color: var(--ok); }
.summary.outcome-fail { border-left-color: var(--bad); }
.summary.outcome-unknown { border-left-color: var(--unknown); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 12px 0; }
.figure { border: 1px solid var(--border); border-radius: 6px; padding: 6px 10px; }
.figure .label { color: var(--muted); font-size: 12px; }
.figure .value { font-size: 18px; font-weight: 600; }
.figure.outcome-fail .value, .figure.figure-bad .value { color: var(--bad); }
.figure.outcome-unknown .value, .figure.figure-warn .value { color: var(--unknown); }
.figure.outcome-pass .value { color: var(--ok); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--border); }
th { background: var(--bg-soft); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.outcome-fail > td:first-child { box-shadow: inset 3px 0 var(--bad); }
tr.outcome-unknown > td:first-child { box-shadow: inset 3px 0 var(--unknown); }
tr.outcome-pass > td:first-child { box-shadow: inset 3px 0 var(--ok); }
.verdict-table .summary-text { color: var(--muted); font-size: 13px; }
.evidence { margin: 4px 0 0; padding-left: 16px; font-size: 12.5px; color: var(--muted); }
.note { color: var(--muted); font-size: 12.5px; margin: 4px 0; }
figure.chart { margin: 8px 0 4px; }
figure.chart figcaption { font-weight: 600; font-size: 13px; display: flex; gap: 12px; flex-wrap: wrap; align-items: baseline; }
.unit { font-weight: 400; color: var(--muted); margin-left: -8px; }
.legend { font-weight: 400; color: var(--muted); font-size: 12px; display: inline-flex; gap: 10px; flex-wrap: wrap; }
.swatch { display: inline-block; width: 14px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 3px; }
.swatch.dashed { border-top-style: dashed; }
svg { display: block; width: 100%; height: auto; overflow: visible; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--muted); }
svg .grid line { stroke: #eaeef2; stroke-width: 1; }
svg .axis line { stroke: var(--border); }
svg text.ylabel { text-anchor: end; }
svg text.xlabel { text-anchor: middle; }
svg text.empty { text-anchor: middle; font-style: italic; }
svg path.line { fill: none; stroke-width: 1.5; stroke-linejoin: round; }
svg path.line.dashed { stroke-dasharray: 4 3; stroke-width: 1.2; }
svg path.band { stroke: none; opacity: 0.85; }
svg rect.fault-window { fill: var(--fault); fill-opacity: 0.16; stroke: var(--fault); stroke-opacity: 0.5; stroke-width: 0.5; }
svg rect.fault-window.unhealed { fill: var(--bad); stroke: var(--bad); }
svg rect.fault-window.inject-failed { fill-opacity: 0.06; stroke-dasharray: 3 2; }
svg text.fault-label { fill: #953800; font-weight: 600; }
svg rect.lane-ok { fill: var(--ok); opacity: 0.75; }
svg rect.lane-bad { fill: var(--bad); }
svg rect.lane-unknown { fill: #d4a72c; }
svg text.lane-label { text-anchor: end; fill: var(--fg); }
svg .trend-cell rect { stroke: #fff; }
svg .trend-cell.outcome-pass rect { fill: var(--ok); }
svg .trend-cell.outcome-fail rect { fill: var(--bad); }
svg .trend-cell.outcome-unknown rect { fill: #d4a72c; }
svg .trend-cell.aborted rect { stroke: #000; stroke-dasharray: 2 1; }
svg .trend-cell text { fill: #fff; text-anchor: middle; font-size: 10px; font-weight: 700; }
svg .trend-cell.current rect { stroke: var(--fg); stroke-width: 2; }
svg path.trend-line { fill: none; stroke: #0969da; stroke-width: 1.5; }
svg circle.trend-dot { fill: #0969da; }
svg text.trend-unrecovered { fill: var(--bad); font-weight: 700; text-anchor: middle; }
.trend svg { width: auto; max-width: 100%; }
.score { display: flex; gap: 16px; align-items: center; border: 1px solid var(--border); border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.score .value { font-size: 32px; font-weight: 700; min-width: 90px; text-align: center; }
.score .value.outcome-pass { color: var(--ok); }
.score .value.outcome-unknown { color: var(--unknown); }
.score .value.outcome-fail { color: var(--bad); }
.score .formula { font-size: 13px; }
.event-filters { border: 1px solid var(--border); border-radius: 6px; padding: 4px 10px; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
.event-filters legend { font-size: 12px; color: var(--muted); }
.event-filters label { font-size: 13px; cursor: pointer; }
.event-log td { padding: 1px 8px; font-size: 12.5px; }
.event-log td.t { font-variant-numeric: tabular-nums; white-space: nowrap; color: var(--muted); }
.event-log tr.ev-bad td { color: var(--bad); }
.event-log tr.ev-fault-inject td, .event-log tr.ev-fault-heal td { font-weight: 600; }
.events:has(#evf-fault-inject:not(:checked)) tr.ev-fault-inject,
.events:has(#evf-fault-heal:not(:checked)) tr.ev-fault-heal,
.events:has(#evf-phase:not(:checked)) tr.ev-phase,
.events:has(#evf-node-condition:not(:checked)) tr.ev-node-condition,
.events:has(#evf-pod:not(:checked)) tr.ev-pod,
.events:has(#evf-leader:not(:checked)) tr.ev-leader,
.events:has(#evf-error:not(:checked)) tr.ev-error,
.events:has(#evf-note:not(:checked)) tr.ev-note { display: none; }
.reproduce dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 4px 0; }
.reproduce dt { color: var(--muted); }
.reproduce dd { margin: 0; word-break: break-all; }
pre.command { background: var(--bg-soft); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
.dirty { color: var(--bad); font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { .event-filters { display: none; } body { padding: 0; } }
`;
