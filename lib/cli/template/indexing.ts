// len, index and slice: Go's rules for strings (their bytes), slices and
// maps, with Go's messages for a nil, an index out of range or a type that
// cannot be indexed.
import { CallError } from './errors.js';
import { goType, isObject, type Obj } from './values.js';

export function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isObject(v)) return Object.keys(v).length;
  if (v === null || v === undefined) throw new CallError('len of nil pointer');
  throw new CallError(`len of type ${goType(v)}`);
}

/** An index into a string (its bytes) or array: within [0, length), or up to length for slice. */
function indexArg(ix: unknown, len: number, upToLength: boolean): number {
  if (ix === null || ix === undefined) throw new CallError('cannot index slice/array with nil');
  if (typeof ix !== 'number' || !Number.isInteger(ix)) throw new CallError(`cannot index slice/array with type ${goType(ix)}`);
  if (ix < 0 || ix > len || (ix === len && !upToLength)) throw new CallError(`index out of range: ${ix}`);
  return ix;
}

export function index(item: unknown, indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new CallError('index of untyped nil');
  let cur: unknown = item;
  for (const ix of indexes) {
    if (cur === null || cur === undefined) throw new CallError('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = Buffer.from(cur);
      cur = bytes[indexArg(ix, bytes.length, false)];
    } else if (Array.isArray(cur)) {
      cur = cur[indexArg(ix, cur.length, false)];
    } else if (isObject(cur)) {
      if (typeof ix !== 'string') throw new CallError(`value has type ${goType(ix)}; should be string`);
      cur = Object.hasOwn(cur, ix) ? cur[ix] : zeroValueOf(cur);
    } else {
      throw new CallError(`can't index item of type ${goType(cur)}`);
    }
  }
  return cur;
}

/** What Go's index gives for a missing key: "" in a map of strings (labels), nil otherwise. */
function zeroValueOf(map: Obj): unknown {
  return Object.values(map).every((v) => typeof v === 'string') ? '' : null;
}

export function slice(item: unknown, indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new CallError('slice of untyped nil');
  if (indexes.length > 3) throw new CallError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let cut: (i: number, j: number) => unknown;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new CallError('cannot 3-index slice a string');
    const bytes = Buffer.from(item);
    [len, cut] = [bytes.length, (i, j) => bytes.subarray(i, j).toString()];
  } else if (Array.isArray(item)) {
    [len, cut] = [item.length, (i, j): unknown[] => item.slice(i, j)];
  } else {
    throw new CallError(`can't slice item of type ${goType(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((ix, n) => (idx[n] = indexArg(ix, len, true)));
  const [i, j, k] = idx as [number, number, number];
  if (i > j) throw new CallError(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new CallError(`invalid slice index: ${j} > ${k}`);
  return cut(i, j);
}
