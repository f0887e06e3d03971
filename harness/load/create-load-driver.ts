import { BuiltinDriver } from './builtin/builtin-driver.js';
import { K6Driver } from './k6/k6-driver.js';
import { findK6, requireK6, type K6LookupOptions } from './k6/k6-runtime.js';
import type { LoadDriver, LoadTarget } from './load-driver.js';
import { LoadError } from './load-error.js';
import type { LoadSpec } from './load-spec.js';

export interface CreateLoadDriverOptions {
  /** Overrides the spec's `driver`. */
  driver?: LoadSpec['driver'];
  lookup?: K6LookupOptions;
  /** For the k6 driver: keep its files here. */
  workDir?: string;
}

/**
 * The driver a spec asks for: `k6` (an error when there is no k6), `builtin`, or `auto`: k6 when
 * one is found, else builtin. A script of the user's own needs k6.
 */
export async function createLoadDriver(
  spec: LoadSpec,
  targets: readonly LoadTarget[],
  options: CreateLoadDriverOptions = {},
): Promise<LoadDriver> {
  const wanted = options.driver ?? spec.driver;
  if (spec.script !== undefined && wanted === 'builtin')
    throw new LoadError('InvalidLoadSpec', 'a k6 script needs the k6 driver, not builtin', [
      'script: needs the k6 driver',
    ]);
  if (wanted === 'builtin') return new BuiltinDriver(spec, targets);
  const runtime =
    wanted === 'k6' || spec.script !== undefined
      ? await requireK6(options.lookup)
      : await findK6(options.lookup);
  if (!runtime) return new BuiltinDriver(spec, targets);
  return new K6Driver(spec, targets, { runtime, ...(options.workDir ? { workDir: options.workDir } : {}) });
}
