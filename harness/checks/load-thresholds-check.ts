import type { LoadThresholdsEvent } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { plural } from './format-figures.js';

const shape = {
  description:
    "Did each k6 load stay within its k6 thresholds? A scenario's load with thresholds (or a k6 script of its own) gets this check by itself; crossed thresholds fail it, as they make k6 exit 99.",
  thresholds: {},
  select: { load: 'judge this load (its name) alone' },
  windows: 'whole-run (k6 judges its thresholds over the whole load)',
  measures: 'the k6 thresholds crossed',
} as const satisfies CheckSpecShape;

type LoadThresholdsOptions = ReadCheckSpec<typeof shape>;

/**
 * load-thresholds: k6's own verdict on a load, carried into crucible's. Measured: thresholds
 * crossed. Unknown when no k6 load of the selection reported its thresholds (it failed, or ran on
 * the builtin driver, which has none).
 */
export const loadThresholdsCheck: Checker<LoadThresholdsOptions> = {
  type: 'load-thresholds',
  shape,
  unit: 'k6 thresholds crossed',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ select }) =>
    `every k6 threshold held${select.load === undefined ? '' : ` by load ${select.load}`}`,
  check({ history }, { select }) {
    const reports = history.events.filter(
      (e): e is LoadThresholdsEvent =>
        e.type === 'load-thresholds' && (select.load === undefined || e.load === select.load),
    );
    if (reports.length === 0)
      return cannotJudge(
        'The k6 thresholds could not be judged: no k6 load reported them.',
        `No k6 load${select.load ? ` named ${select.load}` : ''} reported its thresholds: it failed, or ran on the builtin driver, which has none.`,
      );
    const all = reports.flatMap((r) => r.thresholds.map((th) => ({ load: r.load, ...th })));
    const crossed = all.filter((th) => th.crossed);
    return {
      outcome: crossed.length ? 'fail' : 'pass',
      measured: crossed.length,
      summary: crossed.length
        ? `${crossed.length} of ${plural(all.length, 'k6 threshold')} crossed.`
        : `All ${plural(all.length, 'k6 threshold')} held.`,
      evidence: crossed.map((th) => ({
        message: `load ${th.load}: ${th.metric} ${th.expression} was crossed`,
      })),
    };
  },
};
