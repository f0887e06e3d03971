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
{{#if sabotage}}<div class="score" id="sabotage-score">
<div class="value {{sabotage.className}}">{{sabotage.value}}</div>
<div class="formula"><strong>Sabotage score: {{sabotage.text}}</strong><br>Each sabotage scenario turns on a deliberate bug in the orchestrator and names the check that must catch it; it counts as caught when that check, and no other, failed with evidence. Sabotage runs are left out of the resilience score.<br>{{sabotage.notCaught}}</div>
</div>{{/if}}

<h2 id="scenarios">Scenarios</h2>
{{#if hasScenarios}}<table class="scenario-table">
<thead><tr><th>Scenario</th><th>Verdict</th><th class="num">Checks passed</th><th>Not passed</th><th class="num">Requests ok</th><th>Worst time to detect</th><th>Worst time to heal</th><th>Last run</th><th>Trend</th></tr></thead>
<tbody>
{{#each scenarios}}{{> scenarioRow}}{{/each}}
</tbody>
</table>{{else}}<p>No runs were found in this folder.</p>{{/if}}
{{#if hasEarlier}}<h2 id="earlier">Earlier runs</h2>
<p class="summary-text">Scenarios of this folder that the last invocation did not run: their latest runs, outside the score and the folder's junit.xml.</p>
<table class="scenario-table earlier">
<thead><tr><th>Scenario</th><th>Verdict</th><th class="num">Checks passed</th><th>Not passed</th><th class="num">Requests ok</th><th>Worst time to detect</th><th>Worst time to heal</th><th>Last run</th><th>Trend</th></tr></thead>
<tbody>
{{#each earlier}}{{> scenarioRow}}{{/each}}
</tbody>
</table>{{/if}}
{{#if hasUnreadable}}<h3>Runs that could not be read</h3>
<ul>{{#each unreadable}}<li class="mono">{{this}}</li>{{/each}}</ul>{{/if}}
<footer>crucible · rendered from the history.json and verdicts.json files in this folder.</footer>
</body>
</html>
`;
