// eq, ne, lt, le, gt and ge: Go compares only basic values of one kind (nil
// only with nil), and says so when asked to compare anything else.
import { CallError } from './errors.js';
import { formatValue } from './fmt.js';
import { goType } from './values.js';

type Kind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'other';
}

/** eq x a b ...: x == a || x == b ...; nil equals only nil. */
export function eq(a: unknown, others: unknown[]): boolean {
  if (!others.length) throw new CallError('missing argument for comparison');
  return others.some((b) => {
    const [ka, kb] = [basicKind(a), basicKind(b)];
    if (ka === 'nil' || kb === 'nil') return ka === kb;
    if (ka !== kb) throw new CallError('incompatible types for comparison');
    if (ka === 'other') throw new CallError(`non-comparable type ${formatValue(a)}: ${goType(a)}`);
    return a === b;
  });
}

export function less(a: unknown, b: unknown): boolean {
  const [ka, kb] = [basicKind(a), basicKind(b)];
  if (!(ka === 'number' || ka === 'string') || !(kb === 'number' || kb === 'string')) throw new CallError('invalid type for comparison');
  if (ka !== kb) throw new CallError('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}
