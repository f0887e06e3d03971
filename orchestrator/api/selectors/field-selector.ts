/**
 * Field selectors as `k8s.io/apimachinery/pkg/fields` parses them and as kube-apiserver
 * evaluates them: only equality, only the fields each resource declares selectable, and a
 * field the object lacks compares as its Go zero value.
 */
import { errors } from '../errors.js';

/** One `field=value` or `field!=value` term (`==` parses as `=`). */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** A compiled field selector. */
export interface FieldSelector {
  /** The terms, sorted as Kubernetes sorts them; all must hold for a match. */
  readonly requirements: readonly FieldRequirement[];
  /** True for the empty selector. */
  readonly matchesEverything: boolean;
  /** Whether the object's selectable fields satisfy every term. */
  matches(obj: unknown): boolean;
  /** The value `field` must equal when the selector pins it with `=`, as `RequiresExactMatch`. */
  exactValue(field: string): string | undefined;
  /** The canonical string form with `\`, `,` and `=` in values escaped. */
  toString(): string;
}

const metaFields = ['metadata.name', 'metadata.namespace'] as const;

const resourceFields: Readonly<Record<string, readonly string[]>> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
};

/**
 * The field names kube-apiserver accepts in `?fieldSelector=` for a resource (plural, lower
 * case): `metadata.name` and `metadata.namespace` everywhere, plus the resource's own.
 */
export function fieldsFor(resource: string): readonly string[] {
  return [
    ...metaFields,
    ...(Object.hasOwn(resourceFields, resource) ? (resourceFields[resource] ?? []) : []),
  ];
}

function at(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const part of path) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (typeof cur === 'object' && cur !== null && !Array.isArray(cur))
      cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur;
}

const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/**
 * The value a field selector compares for `field` on `obj`: the dotted path's scalar as a
 * string, `''` when absent — except where Kubernetes derives the value: booleans and counts
 * read `false`/`0` when absent, `status.podIP` falls back to `status.podIPs[0].ip`, and an
 * Event's `source` is `source.component` or else `reportingComponent`.
 */
export function fieldValue(obj: unknown, field: string): string {
  switch (field) {
    case 'spec.unschedulable':
    case 'spec.hostNetwork':
      return String(at(obj, field.split('.')) === true);
    case 'status.replicas':
      return text(at(obj, ['status', 'replicas'])) || '0';
    case 'status.podIP':
      return text(at(obj, ['status', 'podIP'])) || text(at(obj, ['status', 'podIPs', '0', 'ip']));
    case 'source':
      return text(at(obj, ['source', 'component'])) || text(at(obj, ['reportingComponent']));
    default:
      return text(at(obj, field.split('.')));
  }
}

function escapeValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeValue(value: string): string {
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

// Terms are split on commas that are not escaped with a backslash.
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// The first operator found scanning left to right wins, trying `!=`, `==`, `=` at each position.
function splitTerm(term: string): { field: string; op: string; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class Selector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  get matchesEverything(): boolean {
    return this.requirements.length === 0;
  }

  matches(obj: unknown): boolean {
    return this.requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='));
  }

  exactValue(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

/**
 * Parses `field=value`, `field==value` and `field!=value` terms joined by commas; `\`, `,` and
 * `=` inside values are escaped with a backslash. The empty string selects everything. With
 * `resource` given, every field must be one of `fieldsFor(resource)`.
 * @throws ApiError BadRequest for a term without operator, a bad escape, or (with `resource`)
 *   `field label not supported: <field>`.
 */
export function parseFieldSelector(selector: string, resource?: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (!term) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    requirements.push({
      field: term.field,
      operator: term.op === '!=' ? '!=' : '=',
      value: unescapeValue(term.value),
    });
  }
  if (resource !== undefined) {
    const allowed = fieldsFor(resource);
    for (const r of requirements) {
      if (!allowed.includes(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
    }
  }
  return new Selector(requirements);
}

/** The selector that matches every object. */
export const EVERYTHING_FIELDS: FieldSelector = new Selector([]);
