/**
 * Models to HTML through handlebars. The templates hold no logic and there are no helpers: the
 * models carry every string already formatted. Templates compile in strict mode, so a field the
 * template names and the model lacks throws here instead of rendering as an empty string.
 */
import Handlebars from 'handlebars';
import type { IndexModel } from './index-model.js';
import type { RunReportModel } from './report-model.js';
import { INDEX_PAGE } from './templates/index-page.js';
import { PARTIALS } from './templates/partials.js';
import { RUN_PAGE } from './templates/run-page.js';
import { STYLES } from './templates/styles.js';

interface Templates {
  run: Handlebars.TemplateDelegate<RunReportModel & { styles: string }>;
  index: Handlebars.TemplateDelegate<IndexModel & { styles: string }>;
}

let templates: Templates | null = null;

function compiled(): Templates {
  if (templates) return templates;
  // An environment of our own, so nothing registered on the global Handlebars leaks in.
  const env = Handlebars.create();
  const options: CompileOptions = { strict: true, knownHelpersOnly: true, preventIndent: true };
  for (const [name, source] of Object.entries(PARTIALS))
    env.registerPartial(name, env.compile(source, options));
  templates = { run: env.compile(RUN_PAGE, options), index: env.compile(INDEX_PAGE, options) };
  return templates;
}

/** The run page: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched). */
export function renderRunPage(model: RunReportModel): string {
  return compiled().run({ ...model, styles: STYLES });
}

/** The index page of an output folder. */
export function renderIndexPage(model: IndexModel): string {
  return compiled().index({ ...model, styles: STYLES });
}
