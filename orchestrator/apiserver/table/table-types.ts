/**
 * The wire shapes of `meta.k8s.io` server-side printing: `Table`, its column definitions and rows,
 * and the `PartialObjectMetadata` a row carries by default.
 */

import type { KubeObject, ListMeta, ObjectMeta } from '../../api/types.js';

/** The `meta.k8s.io` versions that serve `Table`; kubectl asks for v1 first, then v1beta1. */
export type TableVersion = 'v1' | 'v1beta1';

/** `includeObject` of `TableOptions`: what each row's `object` holds. */
export type IncludeObjectPolicy = 'None' | 'Metadata' | 'Object';

/**
 * One column of a table. All five fields are always present on the wire, as Go serializes them
 * without `omitempty`. `priority` 0 columns are shown by `kubectl get`; 1 only with `-o wide`.
 */
export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: 'string', 'integer', 'number', 'boolean' or 'date'. */
  type: string;
  /** OpenAPI format; 'name' marks the column that holds the object's name. */
  format: string;
  description: string;
  priority: number;
}

/** A cell value: what `encoding/json` makes of the Go printers' strings, int64s and bools. */
export type TableCell = string | number | boolean | null;

/** A condition on a row; kube-apiserver sets `Completed` on pods that have finished. */
export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** Object metadata without the body — what a row carries for `includeObject=Metadata`. */
export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: `meta.k8s.io/${TableVersion}`;
  metadata: ObjectMeta;
}

/** One object's row; `cells` is parallel to the table's `columnDefinitions`. */
export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object?: KubeObject | PartialObjectMetadata;
}

/** A `meta.k8s.io` Table, as `kubectl get` asks for it. */
export interface Table {
  kind: 'Table';
  apiVersion: `meta.k8s.io/${TableVersion}`;
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}
