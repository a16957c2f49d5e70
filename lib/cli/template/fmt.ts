// Go's fmt verbs for one operand (%v, %s, %q, %d, %x, %f, ...), with flags,
// width and precision: how actions print values and what printf produces.
// A number is an int when it is a safe integer and a float64 otherwise (JSON
// cannot tell 2 from 2.0).
import { formatE, formatF, formatG } from './float.js';
import { canBackquote, goQuote, goQuoteRune } from '../../core/go-quote.js';
import { goType, isObject, sortedKeys } from './values.js';

/** The flags, width and precision of one printf verb. */
export interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  precision?: number;
}

export const PLAIN: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false };

/** Go's %v of a value: [a b] for arrays, map[k:v] for objects (sorted keys), <nil> for nil. */
export function formatValue(v: unknown): string {
  return formatArg(v, 'v', PLAIN);
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, spec: Spec, zeros = false): string {
  const missing = (spec.width ?? 0) - runeCount(s);
  if (missing <= 0) return s;
  if (spec.minus) return s + ' '.repeat(missing);
  if (zeros && spec.zero) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(missing) + s.slice(sign.length);
  }
  return ' '.repeat(missing) + s;
}

function badVerb(verb: string, v: unknown): string {
  return v === null || v === undefined ? `%!${verb}(<nil>)` : `%!${verb}(${goType(v)}=${formatValue(v)})`;
}

export function formatArg(v: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(goType(v), spec);
  if (v === null || v === undefined) return verb === 'v' ? pad('<nil>', spec) : badVerb(verb, v);
  if (Array.isArray(v)) return `[${v.map((e) => formatArg(e, verb, spec)).join(' ')}]`;
  if (isObject(v)) return `map[${sortedKeys(v).map((k) => `${formatArg(k, verb, spec)}:${formatArg(v[k], verb, spec)}`).join(' ')}]`;
  if (typeof v === 'string') return formatString(v, verb, spec);
  if (typeof v === 'boolean') return verb === 'v' || verb === 't' ? pad(String(v), spec) : badVerb(verb, v);
  if (typeof v === 'number') return Number.isSafeInteger(v) ? formatInteger(v, verb, spec) : formatFloat(v, verb, spec);
  if (typeof v === 'bigint') return formatInteger(Number(v), verb, spec);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only functions and symbols are left (objects and arrays are handled above)
  return verb === 'v' || verb === 's' ? pad(String(v), spec) : badVerb(verb, v);
}

function formatString(s: string, verb: string, spec: Spec): string {
  const cut = spec.precision === undefined ? s : [...s].slice(0, spec.precision).join('');
  switch (verb) {
    case 'v':
    case 's':
      return pad(cut, spec);
    case 'q':
      return pad(spec.sharp && canBackquote(cut) ? `\`${cut}\`` : goQuote(cut, spec.plus), spec);
    case 'x':
    case 'X': {
      const bytes = Buffer.from(s).subarray(0, spec.precision);
      const hex = [...bytes].map((b) => (spec.sharp ? '0x' : '') + b.toString(16).padStart(2, '0'));
      const text = spec.space ? hex.join(' ') : spec.sharp ? `0x${hex.map((h) => h.slice(2)).join('')}` : hex.join('');
      return pad(verb === 'X' ? text.toUpperCase() : text, spec);
    }
    default:
      return badVerb(verb, s);
  }
}

function withSign(n: number, digits: string, spec: Spec): string {
  const sign = n < 0 || Object.is(n, -0) ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return sign + digits;
}

/** The base and the %# prefix of each verb that prints an integer's digits. */
const BASES: Record<string, [number, string]> = { d: [10, ''], v: [10, ''], b: [2, '0b'], o: [8, '0'], O: [8, '0o'], x: [16, '0x'], X: [16, '0X'] };

/** An integer: its digits in a base, or %c %q %U of it as a code point. */
function formatInteger(value: number, verb: string, spec: Spec): string {
  const n = value === 0 ? 0 : value; // no -0 among integers
  const abs = BigInt(Math.abs(n));
  const base = BASES[verb];
  if (base) return formatDigits(n, abs.toString(base[0]), verb, base[1], spec);
  switch (verb) {
    case 'c':
      return pad(String.fromCodePoint(validRune(n)), spec);
    case 'q':
      return pad(goQuoteRune(validRune(n)), spec);
    case 'U': {
      const code = `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;
      return pad(spec.sharp ? `${code} '${String.fromCodePoint(validRune(n))}'` : code, spec);
    }
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
      // Go insists on a float for these; JSON numbers cannot tell 2 from 2.0.
      return formatFloat(n, verb, spec);
    default:
      return badVerb(verb, n);
  }
}

function formatDigits(n: number, absDigits: string, verb: string, prefixOf: string, spec: Spec): string {
  let digits = absDigits;
  if (verb === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined) digits = spec.precision === 0 && n === 0 ? '' : digits.padStart(spec.precision, '0');
  // %#o adds a 0 only when the digits do not start with one already.
  const prefix = verb === 'O' || (spec.sharp && verb !== 'd' && verb !== 'v' && !(verb === 'o' && digits.startsWith('0'))) ? prefixOf : '';
  const text = withSign(n, prefix + digits, spec);
  return pad(text, spec, spec.precision === undefined && !spec.minus);
}

/** What %c and %q print for a number that is no code point: U+FFFD. */
function validRune(n: number): number {
  return n < 0 || n > 0x10ffff || (n >= 0xd800 && n < 0xe000) ? 0xfffd : n;
}

function formatFloat(n: number, verb: string, spec: Spec): string {
  if (!'eEfFgGv'.includes(verb)) return badVerb(verb, n);
  const abs = Math.abs(n);
  let digits: string;
  if (Number.isNaN(n)) digits = 'NaN';
  else if (!Number.isFinite(n)) digits = 'Inf';
  else if (verb === 'f' || verb === 'F') digits = formatF(abs, spec.precision ?? 6);
  else if (verb === 'e' || verb === 'E') digits = formatE(abs, spec.precision ?? 6);
  else digits = formatG(abs, verb === 'v' ? undefined : spec.precision);
  if (verb === 'E' || verb === 'G') digits = digits.toUpperCase();
  const signed = Number.isNaN(n) ? (spec.plus ? '+NaN' : spec.space ? ' NaN' : 'NaN') : withSign(n, digits, { ...spec, plus: spec.plus || digits === 'Inf' });
  return pad(signed, spec, Number.isFinite(n));
}
