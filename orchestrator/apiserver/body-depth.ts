import { errors } from '../api/errors.js';

/**
 * How deep a request body may nest. Kubernetes objects nest a few dozen levels at most; Go's JSON
 * decoder, which kube-apiserver uses, stops at 10,000. Every walk of a body here (validation,
 * defaulting, the patches, managed fields) recurses, so a body is refused with a 400 before any
 * of them sees it, not left to run out of stack (a 500) or memory.
 */
export const MAX_BODY_DEPTH = 1000;

/** Refuses a decoded body nested deeper than MAX_BODY_DEPTH; walks it without recursion. */
export function checkBodyDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) throw tooDeep();
    for (const child of Object.values(node))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/**
 * Refuses YAML text that may nest deeper than MAX_BODY_DEPTH before a YAML parser (which recurses,
 * and can exhaust memory on a deep enough document) sees it. Counts, generously, the open flow
 * brackets outside quotes plus a line's indentation and its leading `- ` and `? ` markers.
 */
export function checkYamlDepth(text: string): void {
  let flow = 0;
  let quote: string | undefined;
  let lineStart = true;
  let block = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      // A quoted scalar may go on over lines; its indentation is no nesting.
      lineStart = !quote;
      block = 0;
      continue;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (lineStart) {
      if (
        c === ' ' ||
        c === '\t' ||
        ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\n'))
      ) {
        block++;
        if (block + flow > MAX_BODY_DEPTH) throw tooDeep();
        continue;
      }
      lineStart = false;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      flow++;
      if (block + flow > MAX_BODY_DEPTH) throw tooDeep();
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
}

function tooDeep() {
  return errors.badRequest(`the request body is nested too deeply: more than ${MAX_BODY_DEPTH} levels`);
}
