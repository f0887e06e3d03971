/**
 * The history contract: what an experiment run recorded (events, series, ground truth, durability,
 * isolation), the checks it declared, and how a stored history is assembled and read back. Checkers
 * and reports read only this.
 */
export * from './history.js';
export { assembleHistory, type HistoryAssembly, type HistoryPart } from './history-assembler.js';
export { HistoryError, type HistoryErrorCode } from './history-error.js';
export { readHistory } from './read-history.js';
