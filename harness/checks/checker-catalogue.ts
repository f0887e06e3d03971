import type { CheckSpec } from '../history/history.js';
import { apiAvailabilityCheck } from './api-availability-check.js';
import { availabilityCheck } from './availability-check.js';
import type { Checker } from './checker.js';
import { convergenceCheck } from './convergence-check.js';
import { durabilityCheck } from './durability-check.js';
import { latencyCheck } from './latency-check.js';
import { leaderFailoverCheck } from './leader-failover-check.js';
import { namespaceIsolationCheck } from './namespace-isolation-check.js';
import { noRestartsCheck } from './no-restarts-check.js';
import { selfHealCheck } from './self-heal-check.js';
import { steadyStateCheck } from './steady-state-check.js';
import { stepsCheck } from './steps-check.js';

/** One checker per check type; each checker's options type is its own business. */
export const checkerCatalogue: Readonly<Record<CheckSpec['type'], Checker<unknown>>> = Object.freeze({
  availability: availabilityCheck,
  'no-restarts': noRestartsCheck,
  'self-heal': selfHealCheck,
  convergence: convergenceCheck,
  'namespace-isolation': namespaceIsolationCheck,
  durability: durabilityCheck,
  'leader-failover': leaderFailoverCheck,
  latency: latencyCheck,
  'api-availability': apiAvailabilityCheck,
  steps: stepsCheck,
  'steady-state': steadyStateCheck,
});
