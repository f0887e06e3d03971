import { z } from 'zod';
import { CHECK_SHAPES, WINDOW_FORMS, thresholdKindWords } from '../checks/index.js';
import { FAULTS } from '../faults/index.js';
import { CHECK_TYPES } from '../history/history.js';
import { scenarioJsonSchema } from './scenario-spec.js';

/** A JSON Schema node, as far as the reference reads one. */
interface SchemaNode {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
}

/**
 * The reference part of docs/scenarios.md, in Markdown: every scenario key (from the scenario's
 * JSON Schema), every fault with its targets and options (the fault catalogue), every check with
 * its thresholds, select keys and windows (the checks' shapes), and the windows. Written from those
 * sources only, so it cannot drift from what `crucible validate` accepts.
 */
export function scenarioReference(): string {
  return [
    '### Every key',
    '',
    'A path reads as in the YAML: `load[].rate` is `rate` in each item of the list `load`. Durations are',
    'written `500ms`, `2s`, `1m30s`, `1h`.',
    '',
    ...keyRows(scenarioJsonSchema() as SchemaNode, ''),
    '',
    '### Faults',
    '',
    'Each fault of `faults.schedule` has a `type`, a `target` and the options of its type. A target is',
    'a name (or several, comma-separated) or `random`, `one`, `minority`, `majority`, `all`, drawn from',
    'the seed; what it picks from depends on the type.',
    '',
    ...Object.values(FAULTS).flatMap(faultSection),
    '### Checks',
    '',
    'Each check of `checks` has a `name`, a `type`, a `window`, and the `thresholds` and `select` keys',
    'of its type; any other key is an error.',
    '',
    ...CHECK_TYPES.flatMap((type) => checkSection(type)),
    '### Windows',
    '',
    ...WINDOW_FORMS.map((w) => `- \`${w.form}\`: ${words(w.description)}.`),
    '',
  ].join('\n');
}

/** One line per key under `node`, depth first; keys of several alternatives (cluster) are all listed. */
function keyRows(node: SchemaNode, path: string): string[] {
  const rows: string[] = [];
  const objects = node.anyOf ? node.anyOf.filter((n) => n.properties) : node.properties ? [node] : [];
  for (const object of objects) {
    for (const [group, child] of groupedProperties(object)) {
      const childPath = `${path}${path ? '.' : ''}${group}`;
      rows.push(
        keyRow(
          childPath,
          child,
          group.split(',').some((k) => object.required?.includes(k)),
        ),
      );
      rows.push(...keyRows(child, childPath));
      if (child.items) rows.push(...keyRows(child.items, `${childPath}[]`));
    }
  }
  return rows;
}

/** The properties of an object, with siblings of the same shape (stdout and stderr) listed once as `{a,b}`. */
function groupedProperties(object: SchemaNode): [string, SchemaNode][] {
  const groups = new Map<string, { keys: string[]; nodes: SchemaNode[] }>();
  for (const [key, child] of Object.entries(object.properties ?? {})) {
    const { description: _, ...shape } = child;
    const id = child.properties ? JSON.stringify(shape) : key;
    const group = groups.get(id);
    if (group) {
      group.keys.push(key);
      group.nodes.push(child);
    } else groups.set(id, { keys: [key], nodes: [child] });
  }
  return [...groups.values()].map(({ keys, nodes }): [string, SchemaNode] => {
    if (keys.length === 1) return [keys[0]!, nodes[0]!];
    const description = nodes.map((n, i) => `${keys[i]}: ${n.description ?? ''}`).join('; ');
    return [`{${keys.join(',')}}`, { ...nodes[0]!, description }];
  });
}

function keyRow(path: string, node: SchemaNode, required: boolean): string {
  const facts = [typeWords(node), ...(required ? ['required'] : []), ...defaultWords(node)];
  return `- \`${path}\` (${facts.join(', ')})${node.description ? `: ${words(node.description)}` : ''}`;
}

function typeWords(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.enum) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (node.anyOf) return [...new Set(node.anyOf.map(typeWords))].join(' or ');
  switch (node.type) {
    case 'array':
      if (node.items?.enum) return `list, each ${typeWords(node.items)}`;
      return `list${node.items ? ` of ${plural(typeWords(node.items))}` : ''}`;
    case 'object':
      return 'map';
    case 'integer':
    case 'number':
      return `${node.type}${rangeWords(node)}`;
    default:
      return node.type ?? 'any';
  }
}

function rangeWords({ minimum, maximum, exclusiveMinimum }: SchemaNode): string {
  const safe = (n: number | undefined) =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
  const [min, max, above] = [safe(minimum), safe(maximum), safe(exclusiveMinimum)];
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (above !== undefined && max !== undefined) return ` above ${above}, at most ${max}`;
  if (above !== undefined) return ` > ${above}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function plural(type: string): string {
  return type.replace(/^(string|integer|number|map|boolean)\b/, '$1s');
}

/** The default, unless it says nothing (an empty list or map). */
function defaultWords(node: SchemaNode): string[] {
  if (node.default === undefined) return [];
  const text = JSON.stringify(node.default);
  if (text === '[]' || text === '{}') return [];
  return [`default \`${typeof node.default === 'string' ? node.default : text}\``];
}

function faultSection(fault: (typeof FAULTS)[string]): string[] {
  const options = z.toJSONSchema(fault.options, { io: 'input', target: 'draft-07' }) as SchemaNode;
  const rows = keyRows(options, '');
  const nemesis = fault.options.safeParse({}).success
    ? 'a nemesis can draw it'
    : 'a nemesis cannot draw it (it needs options): put it in `faults.schedule`';
  return [
    `#### \`${fault.type}\``,
    '',
    `${capitalize(words(fault.description))}.`,
    '',
    `- Targets: ${words(fault.targetDescription)}.`,
    `- Options:${rows.length ? '' : ' none.'}`,
    ...rows.map((row) => `  ${row}`),
    `- ${capitalize(nemesis)}.`,
    '',
  ];
}

function checkSection(type: (typeof CHECK_TYPES)[number]): string[] {
  const shape = CHECK_SHAPES[type];
  const thresholds = Object.entries(shape.thresholds).map(
    ([key, rule]) =>
      `  - \`${key}\` (${thresholdKindWords(rule.kind)}${rule.required ? ', required' : ''}): ${words(rule.description)}`,
  );
  const select = Object.entries(shape.select).map(([key, what]) => `  - \`${key}\`: ${words(what)}`);
  return [
    `#### \`${type}\``,
    '',
    words(shape.description),
    '',
    `- Figure: ${words(shape.measures)}.`,
    `- Windows: ${words(shape.windows)}.${shape.needsFault ? ' The scenario must have a fault.' : ''}`,
    `- Thresholds:${thresholds.length ? '' : ' none.'}`,
    ...thresholds,
    `- Select:${select.length ? '' : ' nothing.'}`,
    ...select,
    '',
  ];
}

/**
 * Description text as Markdown: a placeholder such as `<fault id>` or `<type>-<n>` in code, or it
 * would read as HTML; what is in code already is left as it is.
 */
function words(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/<[a-z][^<>]*>(?:[-\w]*<[a-z][^<>]*>)*/g, (tag) => `\`${tag}\``),
    )
    .join('');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
