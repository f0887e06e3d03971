import type { ScenarioLoad } from '../harness/scenario/index.js';

/** A scenario's load of Service app/web as the scenario reader leaves it, with `fields` over it. */
export function scenarioLoad(fields: Partial<ScenarioLoad> = {}): ScenarioLoad {
  return {
    name: 'web',
    service: 'app/web',
    path: '/',
    timeoutMs: 1000,
    noConnectionReuse: false,
    driver: 'builtin',
    via: 'auto',
    ...fields,
  };
}
