import type { CheckSpec, CheckType } from '../history/history.js';
import { apiAvailabilityCheck } from './api-availability-check.js';
import { availabilityCheck } from './availability-check.js';
import type { CheckSpecShape } from './check-spec-reader.js';
import type { Checker } from './checker.js';
import { convergenceCheck } from './convergence-check.js';
import { durabilityCheck } from './durability-check.js';
import { latencyCheck } from './latency-check.js';
import { leaderFailoverCheck } from './leader-failover-check.js';
import { namespaceIsolationCheck } from './namespace-isolation-check.js';
import { networkIsolationCheck } from './network-isolation-check.js';
import { noDuplicateIdentityCheck } from './no-duplicate-identity-check.js';
import { noRestartsCheck } from './no-restarts-check.js';
import { selfHealCheck } from './self-heal-check.js';
import { loadThresholdsCheck } from './load-thresholds-check.js';
import { steadyStateCheck } from './steady-state-check.js';
import { stepsCheck } from './steps-check.js';

/** One checker per check type; each checker's options type is its own business. */
export const checkerCatalogue: Readonly<Record<CheckSpec['type'], Checker<unknown>>> = Object.freeze({
  availability: availabilityCheck,
  'no-restarts': noRestartsCheck,
  'no-duplicate-identity': noDuplicateIdentityCheck,
  'self-heal': selfHealCheck,
  convergence: convergenceCheck,
  'namespace-isolation': namespaceIsolationCheck,
  'network-isolation': networkIsolationCheck,
  durability: durabilityCheck,
  'leader-failover': leaderFailoverCheck,
  latency: latencyCheck,
  'api-availability': apiAvailabilityCheck,
  steps: stepsCheck,
  'steady-state': steadyStateCheck,
  'load-thresholds': loadThresholdsCheck,
});

/**
 * What each type of check takes (thresholds, select keys, windows), by type: the one source the
 * scenario decoder validates against, and the editor schema and the reference are written from.
 */
export const CHECK_SHAPES: Readonly<Record<CheckType, CheckSpecShape>> = Object.freeze(
  Object.fromEntries(
    Object.entries(checkerCatalogue).map(([type, checker]) => [type, checker.shape]),
  ) as Record<CheckType, CheckSpecShape>,
);
