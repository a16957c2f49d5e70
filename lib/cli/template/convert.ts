// The checks Go makes when it passes an argument to a function's parameter:
// a string, an int or a []string must be one, nil never is, and a literal of
// the wrong kind is named in the message. Everything else goes through as is.
import type { Arg } from './ast.js';
import type { Param } from './functions.js';
import { goType } from './values.js';

/** The argument a function receives for `v` (from `node`, or from the pipeline when undefined), or Go's complaint. */
export function convertArg(node: Arg | undefined, v: unknown, param: Param): { value: unknown } | { error: string } {
  if (param === 'any') return { value: v === undefined ? null : v };
  const expected = { string: 'string', int: 'int', list: '[]string' }[param];
  if (param === 'list' && (v === undefined || v === null)) return { value: [] };
  if (node?.kind === 'nil') return { error: `cannot assign nil to ${expected}` };
  const ok = param === 'string' ? typeof v === 'string' : param === 'int' ? Number.isSafeInteger(v) : Array.isArray(v);
  if (ok) return { value: v };
  if (node?.kind === 'literal') {
    const found = { string: `expected string; found ${node.text}`, int: `expected integer; found ${node.text}`, list: `can't handle ${node.text} for arg of type []string` };
    return { error: found[param] };
  }
  if (v === undefined) return { error: `invalid value; expected ${expected}` };
  return { error: `wrong type for value; expected ${expected}; got ${goType(v)}` };
}
