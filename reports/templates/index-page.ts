/** The index page of an output folder: one self-contained HTML file over an IndexModel. */
export const INDEX_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>{{{styles}}}</style>
</head>
<body>
<header>
<h1>Resilience report {{> badge outcome}}</h1>
</header>
<p class="summary {{outcome.className}}" id="summary">{{summary}}</p>

<div class="score" id="score">
<div class="value {{score.className}}">{{score.value}}</div>
<div class="formula"><strong>Resilience score</strong><br>{{score.formula}}<br><code>{{score.computation}}</code></div>
</div>

<h2 id="scenarios">Scenarios</h2>
{{#if hasScenarios}}<table class="scenario-table">
<thead><tr><th>Scenario</th><th>Verdict</th><th class="num">Checks passed</th><th>Not passed</th><th class="num">Requests ok</th><th>Worst time to detect</th><th>Worst time to heal</th><th>Last run</th><th>Trend</th></tr></thead>
<tbody>
{{#each scenarios}}<tr class="scenario-row {{outcome.className}}">
<td><a href="{{href}}"><strong>{{name}}</strong></a>{{#if description}}<div class="summary-text">{{description}}</div>{{/if}}{{#if aborted}}<div class="summary-text dirty">{{aborted}}</div>{{/if}}</td>
<td>{{> badge outcome}}</td>
<td class="num">{{checks}}</td>
<td>{{failedChecks}}</td>
<td class="num">{{successRatio}}</td>
<td>{{timeToDetect}}</td>
<td>{{timeToHeal}}</td>
<td class="mono">{{startedAt}}<div class="summary-text">{{duration}} · {{runs}} run(s) kept</div></td>
<td>{{> trend trend}}</td>
</tr>
{{/each}}
</tbody>
</table>{{else}}<p>No runs were found in this folder.</p>{{/if}}
{{#if hasUnreadable}}<h3>Runs that could not be read</h3>
<ul>{{#each unreadable}}<li class="mono">{{this}}</li>{{/each}}</ul>{{/if}}
<footer>crucible · rendered from the history.json and verdicts.json files in this folder.</footer>
</body>
</html>
`;
