import { errors } from '../api/errors.js';
import { parseFieldSelector, parseLabelSelector } from '../api/selectors/index.js';
import type { KubeObject } from '../api/types.js';

/** A list's label and field selectors as one predicate; `all` when it has neither. */
export interface ListSelector {
  fn: (obj: KubeObject) => boolean;
  all: boolean;
}

/**
 * The `labelSelector` and `fieldSelector` of a list or watch of `resource` (whose name decides
 * which fields may be selected); a 400 naming the parameter when one does not parse.
 */
export function listSelector(resource: string, q: URLSearchParams): ListSelector {
  const labelText = q.get('labelSelector') ?? '';
  const fieldText = q.get('fieldSelector') ?? '';
  if (!labelText && !fieldText) return { fn: () => true, all: true };
  const labels = labelText
    ? explained('labelSelector', labelText, () => parseLabelSelector(labelText))
    : undefined;
  const fields = fieldText
    ? explained('fieldSelector', fieldText, () => parseFieldSelector(fieldText, resource))
    : undefined;
  return {
    fn: (obj) => (!labels || labels.matches(obj.metadata.labels ?? {})) && (!fields || fields.matches(obj)),
    all: false,
  };
}

/** Runs a selector parser, naming the query parameter in its error. */
function explained<T>(param: string, text: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw errors.badRequest(`invalid ${param} "${text}": ${(e as Error).message}`);
  }
}
