/**
 * crucible as a library, for chaos tests in your own mocha + chai suites, as testcontainers is for
 * integration tests:
 *
 *   import { up, runScenario } from 'crucible';
 *   await using cluster = await up({ workers: 2 });
 *   const fault = await cluster.faults.inject('node-loss', 'worker-1');
 *   await fault.heal();
 *
 *   const run = await runScenario('scenarios/chaos/node-loss.yaml', { provider: 'process' });
 *   expect(run).to.passEveryCheck();   // with chai.use(crucibleChai) from 'crucible/chai'
 *
 * The command line (`crucible`) is one client of this API. docs/library.md has the whole of it.
 */
export { Cluster, type ActiveFault, type ActiveLoad, type ClusterLoadSpec } from './cluster.js';
export { CrucibleError, type LibraryErrorCode } from './library-error.js';
export { runScenario, type RunScenarioOptions, type ScenarioResult } from './run-scenario.js';
export { up, type UpOptions } from './up.js';
export { writeReport } from './write-report.js';
export { judge, type Verdict, type VerdictOutcome } from '../checks/index.js';
export type { CheckSpec, CheckWindow, History, HistoryEvent } from '../history/index.js';
export { ClusterError, type ClusterErrorCode, type RunningCluster } from '../cluster/index.js';
export { FaultError, FAULTS, type FaultErrorCode } from '../faults/index.js';
export { LoadError, type LoadErrorCode, type LoadResult } from '../load/index.js';
export { ConfigError } from '../support/index.js';
export type { RunReporter, ScenarioRun } from '../reporters/index.js';
