export type { FaultContext, FaultPlugin, FaultRecord } from './fault.js';
export { FAULTS, faultOfType } from './fault-catalogue.js';
export { FaultInjector, type FaultEvent } from './fault-injector.js';
export { healEverything } from './heal-everything.js';
export { selectTargets } from './target-selector.js';
