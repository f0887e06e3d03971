/** The builtin load driver: an open model in Node with undici. */
export { BuiltinDriver, type BuiltinDriverOptions } from './builtin-driver.js';
export { ArrivalSchedule } from './arrival-schedule.js';
export { errorKindOf } from './error-kind.js';
