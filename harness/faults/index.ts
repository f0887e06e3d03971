/**
 * Faults (Jepsen's nemeses): the catalogue of fault types, each with its options, targets, inject
 * and idempotent heal, and the injector that writes every fault down before it acts and reports
 * each inject and heal as a FaultEvent.
 */
export type { FaultContext, FaultPlugin } from './fault.js';
export { FAULTS, faultOfType } from './fault-catalogue.js';
export { FaultError, type FaultErrorCode } from './fault-error.js';
export { FaultInjector, type FaultJournal, type FaultNaming } from './fault-injector.js';
export type { LedgerEntry } from './fault-ledger.js';
export { healEverything } from './heal-everything.js';
export { selectTargets } from './target-selector.js';
