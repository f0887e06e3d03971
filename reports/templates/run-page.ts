/** The run page: one self-contained HTML file over a RunReportModel. */
export const RUN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>{{{styles}}}</style>
</head>
<body>
<header>
<h1>{{scenario.name}} {{> badge outcome}}</h1>
<p class="meta">Started {{startedAt}} · ran {{durationLabel}} · <code>{{scenario.file}}</code>{{#each scenario.tags}} <span class="tag">{{this}}</span>{{/each}}</p>
{{#if scenario.description}}<p class="meta">{{scenario.description}}</p>{{/if}}
</header>
{{#if aborted}}<div class="aborted-banner" role="alert" id="aborted">⚠ Aborted during the {{aborted.phase}} phase: {{aborted.reason}}. The history below is incomplete.</div>{{/if}}
{{#if unmet.length}}<div class="aborted-banner" role="alert" id="unmet"><strong>Conditions not met</strong><ul>{{#each unmet}}<li>{{phase}}: {{subject}}: {{observation}}</li>{{/each}}</ul></div>{{/if}}
<p class="summary {{outcome.className}}" id="summary">{{summary}}</p>
<div class="figures">{{#each keyFigures}}<div class="figure {{className}}"><div class="label">{{label}}</div><div class="value">{{value}}</div></div>{{/each}}</div>

<h2 id="verdicts">Verdicts</h2>
<table class="verdict-table">
<thead><tr><th>Check</th><th>Window</th><th>Threshold</th><th>Measured</th><th>Verdict</th><th>Evidence</th></tr></thead>
<tbody>
{{#each verdicts}}<tr class="verdict-row {{outcome.className}}">
<td><strong>{{check}}</strong><div class="summary-text">{{type}}</div></td>
<td>{{window}}{{#if span}}<div class="summary-text">{{span}}</div>{{/if}}</td>
<td>{{threshold}}</td>
<td class="num">{{measured}}</td>
<td>{{> badge outcome}}</td>
<td><span class="summary-text">{{summary}}</span>{{#if hasEvidence}}<ul class="evidence">{{#each evidence}}<li>{{#if t}}<span class="mono">{{t}}</span> {{/if}}{{message}}</li>{{/each}}</ul>{{/if}}</td>
</tr>
{{else}}<tr><td colspan="6">No checks were declared.</td></tr>
{{/each}}
</tbody>
</table>

<h2 id="timeline">Timeline</h2>
<p class="note">Shaded: fault windows, from inject to heal (red when no heal was recorded). Hover a shape for details.</p>
{{#if timeline.faultBand.hasFaults}}<svg class="fault-band" viewBox="0 0 {{timeline.width}} {{timeline.faultBand.height}}" role="img" aria-label="fault windows">
{{#each timeline.faultBand.windows}}<g class="fault"><rect class="{{className}}" x="{{x}}" y="0" width="{{width}}" height="{{@root.timeline.faultBand.height}}"><title>{{title}}</title></rect><text class="fault-label" x="{{labelX}}" y="{{labelY}}">{{label}}</text></g>{{/each}}
</svg>{{/if}}
{{#each timeline.charts}}{{> lineChart}}{{/each}}
{{#each timeline.lanes}}{{> laneChart}}{{/each}}
{{#if timeline.downsampleNote}}<p class="note">{{timeline.downsampleNote}}</p>{{/if}}

<h2 id="recovery">Recovery</h2>
{{#if recovery.hasRows}}<table>
<thead><tr><th>Fault</th><th>Type</th><th>Targets</th><th>Injected</th><th>Healed</th><th>Time to detect</th><th>Time to heal</th><th class="num">Failed requests</th></tr></thead>
<tbody>{{#each recovery.rows}}<tr class="{{className}}"><td>{{fault}}</td><td>{{type}}</td><td>{{targets}}</td><td class="mono">{{injectedAt}}</td><td class="mono">{{healedAt}}</td><td>{{timeToDetect}}</td><td>{{timeToHeal}}</td><td class="num">{{failedRequests}}</td></tr>{{/each}}</tbody>
</table>{{else}}<p>No fault was injected.</p>{{/if}}
<p class="note">{{recovery.note}}</p>

<h2 id="cleanup">Clean-up ledger</h2>
<p>{{cleanup.note}}</p>
{{#if cleanup.hasRows}}<table class="cleanup">
<thead><tr><th>Fault</th><th>Type</th><th>Targets</th><th>Injected</th><th>Inject ok</th><th>Healed</th><th>Heal ok</th><th>Verified by</th></tr></thead>
<tbody>{{#each cleanup.rows}}<tr class="{{className}}"><td>{{fault}}</td><td>{{type}}</td><td>{{targets}}</td><td class="mono">{{injectedAt}}</td><td>{{injectOk}}</td><td class="mono">{{healedAt}}</td><td>{{healOk}}</td><td>{{verifiedBy}}{{#if error}}<div class="summary-text">{{error}}</div>{{/if}}</td></tr>{{/each}}</tbody>
</table>{{/if}}

{{#if trend}}<h2 id="trend">Earlier runs</h2>
{{> trend trend}}{{/if}}

<section class="events">
<h2 id="events">Event log</h2>
<p class="note">{{events.total}}.{{#if events.truncatedNote}} {{events.truncatedNote}}{{/if}}</p>
{{#if events.hasFilters}}<fieldset class="event-filters"><legend>Show event types</legend>
{{#each events.filters}}<label><input type="checkbox" id="{{id}}" checked> {{type}} ({{count}})</label>
{{/each}}</fieldset>{{/if}}
<table class="event-log">
<thead><tr><th>t</th><th>Type</th><th>Event</th></tr></thead>
<tbody>
{{#each events.rows}}<tr class="{{className}}"><td class="t">{{t}}</td><td>{{type}}</td><td>{{text}}</td></tr>
{{/each}}</tbody>
</table>
</section>

{{#if evidence.length}}<section class="evidence-files">
<h2 id="evidence">Evidence</h2>
<p>Taken before teardown: each node's log and the cluster's objects.</p>
<ul>{{#each evidence}}<li><a href="{{href}}">{{label}}</a></li>{{/each}}</ul>
</section>{{/if}}

<section class="reproduce">
<h2 id="reproduce">Reproduce</h2>
<p>Run the same experiment again (same seed, same scenario):</p>
<pre class="command">{{reproduce.commandLine}}</pre>
<p>Judge this run again without re-running it, from the history.json beside this page:</p>
<pre class="command">{{reproduce.recheckCommand}}</pre>
<dl>
<dt>Seed</dt><dd class="mono">{{reproduce.seed}}</dd>
<dt>Commit</dt><dd class="mono">{{reproduce.commit}}{{#if reproduce.dirty}} <span class="dirty">+ uncommitted changes</span>{{/if}}</dd>
<dt>crucible</dt><dd class="mono">{{reproduce.crucibleVersion}}</dd>
<dt>Scenario file</dt><dd class="mono">{{reproduce.scenarioFile}}</dd>
<dt>Scenario sha256</dt><dd class="mono">{{reproduce.scenarioHash}}</dd>
<dt>Provider</dt><dd>{{reproduce.provider}}</dd>
<dt>Started</dt><dd class="mono">{{reproduce.startedAt}}</dd>
<dt>Ended</dt><dd class="mono">{{reproduce.endedAt}}</dd>
{{#each reproduce.versions}}<dt>{{name}}</dt><dd class="mono">{{value}}</dd>{{/each}}
</dl>
<h3>Lifecycle</h3>
<table>
<thead><tr><th>Phase</th><th>Start</th><th>End</th><th>Duration</th><th>Outcome</th></tr></thead>
<tbody>{{#each phases}}<tr class="{{className}}"><td>{{name}}</td><td class="mono">{{start}}</td><td class="mono">{{end}}</td><td>{{duration}}</td><td>{{outcome}}{{#if error}}<div class="summary-text">{{error}}</div>{{/if}}</td></tr>{{/each}}</tbody>
</table>
<h3>Topology</h3>
<table>
<thead><tr><th>Node</th><th>Role</th></tr></thead>
<tbody>{{#each reproduce.topology}}<tr><td>{{node}}</td><td>{{role}}</td></tr>{{/each}}</tbody>
</table>
{{#if reproduce.hasTenants}}<h3>Tenants</h3>
<table>
<thead><tr><th>Tenant</th><th>Namespaces</th></tr></thead>
<tbody>{{#each reproduce.tenants}}<tr><td>{{name}}</td><td>{{namespaces}}</td></tr>{{/each}}</tbody>
</table>{{/if}}
</section>
<footer>crucible {{reproduce.crucibleVersion}} · rendered from history.json and verdicts.json.</footer>
</body>
</html>
`;
