import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LoadError, findK6, requireK6 } from '../load/index.js';
import type { Scenario } from '../scenario/index.js';

const run = promisify(execFile);

/**
 * Before anything boots: every load that needs k6 can have it, and every k6 script of the user's
 * own compiles (`k6 inspect`), so that a missing k6 or a broken script is said at once, in k6's
 * own words, rather than after a cluster was booted for nothing. `driver` overrides the loads'.
 */
export async function checkLoadTools(scenario: Scenario, driver?: 'builtin' | 'k6' | 'auto'): Promise<void> {
  const loads = scenario.loads.map((l) => ({ ...l, driver: driver ?? l.driver }));
  const needK6 = loads.filter((l) => l.driver === 'k6' || (l.script !== undefined && l.driver !== 'builtin'));
  if (needK6.length === 0) return;
  const k6 = needK6.some((l) => l.driver === 'k6') ? await requireK6() : await findK6();
  if (!k6)
    throw new LoadError('K6NotFound', `load ${needK6[0]!.name}: its script needs k6, which is not found`);
  if (k6.kind !== 'binary') return; // an image: the script is checked when the load starts
  for (const load of needK6.filter((l) => l.script !== undefined)) {
    await run(k6.path, ['inspect', load.script!], {
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
    }).catch((e: { stderr?: string; stdout?: string; message: string }) => {
      throw new LoadError(
        'InvalidLoadSpec',
        `load ${load.name}: k6 cannot run ${load.script}: ${(e.stderr || e.stdout || e.message).trim()}`,
      );
    });
  }
}
