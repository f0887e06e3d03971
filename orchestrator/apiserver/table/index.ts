/**
 * Server-side printing: the `meta.k8s.io` Table responses `kubectl get` asks for. Negotiate with
 * {@link negotiateTableVersion} / {@link isTableRequest} and {@link parseIncludeObject}, then
 * render with {@link buildTable}, or do both for a request with {@link requestedTable}.
 */

export { isTableRequest, negotiateTableVersion, parseIncludeObject } from './accept.js';
export { buildTable, type BuildTableOptions } from './build-table.js';
export { requestedTable } from './requested-table.js';
export { humanDuration, translateTimestampSince } from './human-duration.js';
export {
  DEFAULT_PRINTER,
  TABLE_PRINTERS,
  printerFor,
  type PrintedRow,
  type TablePrinter,
} from './table-printers.js';
export type {
  IncludeObjectPolicy,
  PartialObjectMetadata,
  Table,
  TableCell,
  TableColumnDefinition,
  TableRow,
  TableRowCondition,
  TableVersion,
} from './table-types.js';
