/**
 * Handlebars partials both pages use. No logic: they place precomputed geometry and strings; the
 * only conditions test booleans or nulls the model sets.
 */
export const PARTIALS: Readonly<Record<string, string>> = {
  /** One scenario's row of the index, for the last invocation's table and the earlier runs' alike. */
  scenarioRow: `<tr class="scenario-row {{outcome.className}}">
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
`,

  badge: `<span class="badge {{className}}" title="{{label}}"><span aria-hidden="true">{{symbol}}</span> {{label}}</span>`,

  faultRects: `<g class="faults">{{#each faults}}<rect class="{{className}}" x="{{x}}" y="{{../plotTop}}" width="{{width}}" height="{{../plotHeight}}"><title>{{title}}</title></rect>{{/each}}</g>`,

  axes: `<g class="grid">{{#each xTicks}}<line x1="{{x}}" x2="{{x}}" y1="{{../plotTop}}" y2="{{../plotBottom}}"/>{{/each}}</g>
<g class="axis">{{#each xTicks}}<text class="xlabel" x="{{x}}" y="{{../axisLabelY}}">{{label}}</text>{{/each}}<line x1="{{plotLeft}}" x2="{{plotRight}}" y1="{{plotBottom}}" y2="{{plotBottom}}"/></g>`,

  lineChart: `<figure class="chart" id="chart-{{id}}">
<figcaption>{{title}} <span class="unit">({{yLabel}})</span> <span class="legend">{{#each legend}}<span><span class="swatch{{#if dashed}} dashed{{/if}}" style="border-color:{{color}}"></span>{{label}}</span>{{/each}}</span></figcaption>
<svg class="timeline-chart" viewBox="0 0 {{@root.timeline.width}} {{height}}" role="img" aria-label="{{title}}">
{{> faultRects}}
<g class="grid">{{#each yTicks}}<line x1="{{../plotLeft}}" x2="{{../plotRight}}" y1="{{y}}" y2="{{y}}"/><text class="ylabel" x="{{../plotLeft}}" dx="-6" y="{{y}}" dy="3.5">{{label}}</text>{{/each}}</g>
{{> axes}}
<g class="series">{{#each bands}}<path class="band" fill="{{color}}" d="{{path}}"><title>{{label}}</title></path>{{/each}}{{#each lines}}<path class="line{{#if dashed}} dashed{{/if}}" stroke="{{color}}" d="{{path}}"><title>{{label}}</title></path>{{/each}}</g>
{{#if empty}}<text class="empty" x="{{centerX}}" y="{{centerY}}">{{emptyText}}</text>{{/if}}
</svg>
</figure>`,

  laneChart: `<figure class="chart" id="chart-{{id}}">
<figcaption>{{title}} <span class="legend">{{#each legend}}<span><span class="swatch" style="border-color:{{color}}"></span>{{label}}</span>{{/each}}</span></figcaption>
<svg class="timeline-chart" viewBox="0 0 {{@root.timeline.width}} {{height}}" role="img" aria-label="{{title}}">
{{> axes}}
{{#each lanes}}<g class="lane"><text class="lane-label" x="{{../plotLeft}}" dx="-6" y="{{labelY}}">{{label}}</text>{{#each segments}}<rect class="{{className}}" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{title}}</title></rect>{{/each}}</g>{{/each}}
{{> faultRects}}
{{#if empty}}<text class="empty" x="{{centerX}}" y="{{centerY}}">{{emptyText}}</text>{{/if}}
</svg>
</figure>`,

  trend: `<div class="trend"><svg viewBox="0 0 {{width}} {{height}}" width="{{width}}" height="{{height}}" role="img" aria-label="trend over runs">
{{#each cells}}{{#if href}}<a href="{{href}}">{{/if}}<g class="{{className}}{{#if current}} current{{/if}}"><rect x="{{x}}" y="{{y}}" width="{{size}}" height="{{size}}" rx="2"/><text x="{{textX}}" y="{{textY}}">{{symbol}}</text><title>{{title}}</title></g>{{#if href}}</a>{{/if}}{{/each}}
{{#if hasRecovery}}<path class="trend-line" d="{{recoveryPath}}"/>{{#each recoveryDots}}<circle class="trend-dot" cx="{{cx}}" cy="{{cy}}" r="2.5"><title>{{title}}</title></circle>{{/each}}<text x="{{labelX}}" y="{{labelY}}">{{recoveryScaleLabel}}</text>{{/if}}
{{#each unrecoveredMarks}}<text class="trend-unrecovered" x="{{x}}" y="{{y}}" dy="8">✘<title>{{title}}</title></text>{{/each}}
</svg><p class="note">{{caption}}</p></div>`,
};
