/**
 * The experiment lifecycle: boot → workloads → steady state → recorders and load → faults → heal →
 * recovery → collect → teardown, each phase a unit of its own (see experiment.ts), and the history
 * it produces, judged.
 */
export { runExperiment, type ExperimentOptions, type ExperimentResult } from './experiment.js';
export { EXIT, exitCodeOf } from './exit-code.js';
export { checkLoadTools } from './load-tools.js';
export { unmetNeeds } from './scenario-fit.js';
export { workloadNamespace } from './workloads.js';
export { runKubectl, type KubectlRunOptions } from './kubectl-run.js';
