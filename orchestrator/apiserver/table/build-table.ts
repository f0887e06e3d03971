/**
 * Assembles the `meta.k8s.io` Table that answers a `kubectl get`, from the objects of a get or a
 * list and the kind's printer.
 */

import type { KubeObject, ListMeta } from '../../api/types.js';
import { printerFor } from './table-printers.js';
import type {
  IncludeObjectPolicy,
  PartialObjectMetadata,
  Table,
  TableRow,
  TableVersion,
} from './table-types.js';

/** What {@link buildTable} needs besides the objects. */
export interface BuildTableOptions {
  /** Kind of the resource requested; chooses the printer even when there are no objects. */
  kind: string;
  /** The instant AGE columns are measured against. */
  now: Date;
  /** What each row's `object` carries; kubectl's default is `Metadata`. */
  includeObject: IncludeObjectPolicy;
  /** Metadata of the list the objects came from; for a single get, just its resourceVersion. */
  listMeta: ListMeta;
  /** The `meta.k8s.io` version the client negotiated (see `negotiateTableVersion`); v1 by default. */
  version?: TableVersion;
  /** `TableOptions.noHeaders`: leave `columnDefinitions` empty, as for watch events after the first. */
  noHeaders?: boolean;
}

function rowObject(
  obj: KubeObject,
  includeObject: IncludeObjectPolicy,
  version: TableVersion,
): KubeObject | PartialObjectMetadata | undefined {
  switch (includeObject) {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
  }
}

/** Copies only the list metadata fields that are set, so unset ones stay off the wire. */
function copyListMeta(meta: ListMeta): ListMeta {
  const out: ListMeta = {};
  if (meta.resourceVersion !== undefined) out.resourceVersion = meta.resourceVersion;
  if (meta.continue !== undefined) out.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) out.remainingItemCount = meta.remainingItemCount;
  return out;
}

/**
 * Renders `objects` (all of kind `opts.kind`) as a Table with kube-apiserver's columns for that
 * kind, falling back to Name/Age/Created At for kinds without a printer. Every row has one cell
 * per column definition, wide (priority 1) columns included, in `objects` order. Per
 * `includeObject`, `row.object` is the object itself, its `PartialObjectMetadata`, or absent.
 * The Table's and PartialObjectMetadata's apiVersion is `meta.k8s.io/<opts.version ?? 'v1'>`.
 */
export function buildTable(objects: readonly KubeObject[], opts: BuildTableOptions): Table {
  const version = opts.version ?? 'v1';
  const printer = printerFor(opts.kind);
  const rows = objects.map((obj): TableRow => {
    const printed = printer.row(obj, opts.now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
    const object = rowObject(obj, opts.includeObject, version);
    if (object) row.object = object;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: copyListMeta(opts.listMeta),
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
