// The functions a template may call: Go's built-ins and docker's and podman's
// additions. Each declares its parameter types; the executor checks and
// converts arguments against them first (Go's messages for a wrong argument
// come from there), so an implementation gets the types it declared.
import { eq, less } from './compare.js';
import { htmlEscape, jsEscape, queryEscape, textOf } from './escape.js';
import { join, pad, split, title, toJson, truncate } from './extras.js';
import { index, length, slice } from './indexing.js';
import { sprint, sprintf, sprintln } from './printf.js';
import { isTrue, type CallContext } from './values.js';

/** A parameter's type: any value, or one the executor converts to string, int or []string. */
export type Param = 'any' | 'string' | 'int' | 'list';

export interface Builtin {
  params: Param[];
  /** The type of further arguments, for functions that take any number. */
  rest?: Param;
  fn: (args: unknown[], ctx: CallContext) => unknown;
}

const str = (v: unknown) => v as string;
const int = (v: unknown) => v as number;

export const FUNCTIONS: Record<string, Builtin> = {
  and: { params: ['any'], rest: 'any', fn: () => undefined }, // short-circuit: see Execution.andOr
  or: { params: ['any'], rest: 'any', fn: () => undefined },
  not: { params: ['any'], fn: ([v]) => !isTrue(v) },
  len: { params: ['any'], fn: ([v]) => length(v) },
  index: { params: ['any'], rest: 'any', fn: ([item, ...ix]) => index(item, ix) },
  slice: { params: ['any'], rest: 'any', fn: ([item, ...ix]) => slice(item, ix) },
  eq: { params: ['any'], rest: 'any', fn: ([a, ...rest]) => eq(a, rest) },
  ne: { params: ['any', 'any'], fn: ([a, b]) => !eq(a, [b]) },
  lt: { params: ['any', 'any'], fn: ([a, b]) => less(a, b) },
  le: { params: ['any', 'any'], fn: ([a, b]) => less(a, b) || eq(a, [b]) },
  gt: { params: ['any', 'any'], fn: ([a, b]) => !(less(a, b) || eq(a, [b])) },
  ge: { params: ['any', 'any'], fn: ([a, b]) => !less(a, b) },
  print: { params: [], rest: 'any', fn: (args) => sprint(args) },
  printf: { params: ['string'], rest: 'any', fn: ([f, ...args]) => sprintf(str(f), args) },
  println: { params: [], rest: 'any', fn: (args) => sprintln(args) },
  html: { params: [], rest: 'any', fn: (args) => htmlEscape(textOf(args)) },
  js: { params: [], rest: 'any', fn: (args) => jsEscape(textOf(args)) },
  urlquery: { params: [], rest: 'any', fn: (args) => queryEscape(textOf(args)) },
  // docker's and podman's additions.
  json: { params: ['any'], fn: ([v], ctx) => toJson(v, ctx) },
  join: { params: ['list', 'string'], fn: ([list, sep]) => join(list as unknown[], str(sep)) },
  split: { params: ['string', 'string'], fn: ([s, sep]) => split(str(s), str(sep)) },
  lower: { params: ['string'], fn: ([s]) => str(s).toLowerCase() },
  upper: { params: ['string'], fn: ([s]) => str(s).toUpperCase() },
  title: { params: ['string'], fn: ([s]) => title(str(s)) },
  truncate: { params: ['string', 'int'], fn: ([s, n]) => truncate(str(s), int(n)) },
  pad: { params: ['string', 'int', 'int'], fn: ([s, before, after]) => pad(str(s), int(before), int(after)) },
};
