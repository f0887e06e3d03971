import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { negotiateTableVersion, parseIncludeObject } from './accept.js';
import { buildTable } from './build-table.js';

/**
 * The Table a request asked for (its Accept named one): `objects` of `kind` printed in the
 * version the Accept header negotiates, with the query's `includeObject`; a 400 for an
 * includeObject kube-apiserver does not take.
 */
export function requestedTable(
  objects: KubeObject[],
  opts: { kind: string; query: URLSearchParams; listMeta: object; accept: string | undefined; now: Date },
): unknown {
  const includeObject = parseIncludeObject(opts.query.get('includeObject'));
  if (!includeObject)
    throw errors.badRequest(
      `includeObject: Unsupported value: "${opts.query.get('includeObject')}": supported values: "None", "Metadata", "Object"`,
    );
  return buildTable(objects, {
    kind: opts.kind,
    now: opts.now,
    includeObject,
    listMeta: opts.listMeta,
    version: negotiateTableVersion(opts.accept),
  });
}
