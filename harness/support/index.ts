/**
 * Small things every room of the harness uses, each defined once: an abortable sleep, a seeded
 * random source, a poll-until, strict YAML decoding with file:line:column, and the Docker engine's
 * client. The sleep and the random source are the orchestrator's own (orchestrator/api), since
 * the orchestrator needs them too and may not import the harness.
 */
import { sleep as sleepOn, systemTimers } from '../../orchestrator/api/client/timer-scheduler.js';

export { seededRandom } from '../../orchestrator/api/seeded-random.js';
export { pollUntil } from './poll-until.js';
export { dockerClient, loadTestcontainers, type DockerClient } from './docker-client.js';
export { AT_KEY, ConfigError, configFileDir, decodeYaml, type ConfigProblem } from './decode-yaml.js';

/** Resolves after `ms` on the wall clock (true), or as soon as `signal` aborts (false); never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return sleepOn(systemTimers, ms, signal);
}
