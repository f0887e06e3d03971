/**
 * The scenario format: YAML decoded strictly (every problem with its file, line and column),
 * defaulted and frozen into a Scenario; cross-references checked; nemeses expanded from the seed;
 * the JSON Schema editors use.
 */
export { expandNemesis, nemesisFaultId, type NemesisSpec } from './nemesis.js';
export type {
  KubectlStep,
  OutputExpectation,
  PhaseTimeouts,
  Scenario,
  ScenarioLoad,
  ScenarioStep,
  ScheduledFault,
  SleepStep,
  SteadyStateSpec,
  StepExpectation,
  TenantSpec,
  WorkloadSpec,
} from './scenario.js';
export { SCENARIO_API_VERSION, parseScenario, scenarioJsonSchema } from './scenario-spec.js';
export {
  findScenarioFiles,
  notAScenarioWords,
  type NotAScenario,
  type ScenarioFiles,
} from './scenario-files.js';
export { expectationMisses, type CommandOutput } from './step-expectation.js';
export { selectShard, type Shard, type ShardSelection } from './suite-shard.js';
