// docker's and podman's additions to Go's functions: json, join, split,
// title, truncate and pad (lower and upper are one call each, in the table).
import { formatValue } from './fmt.js';
import { isObject, MAP_FIELDS, sortedKeys, type CallContext } from './values.js';

/** docker's json: compact, no HTML escaping, map keys sorted as Go's encoder sorts them. */
export function toJson(v: unknown, ctx: CallContext): string {
  const text = JSON.stringify(v ?? null, (key, value: unknown) => {
    if (!isObject(value) || !(MAP_FIELDS.has(key) || ctx.isMap(value))) return value;
    return Object.fromEntries(sortedKeys(value).map((k) => [k, value[k]]));
  });
  return (text ?? 'null').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Strings as they are, anything else as Go's %v. */
export function join(list: unknown[], sep: string): string {
  return list.map((e) => (typeof e === 'string' ? e : formatValue(e))).join(sep);
}

/** Go's strings.Split: an empty separator splits into characters. */
export function split(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

/** The first n characters (not bytes). */
export function truncate(s: string, n: number): string {
  return [...s].slice(0, Math.max(n, 0)).join('');
}

/** Spaces before and after a string that is not empty. */
export function pad(s: string, before: number, after: number): string {
  return s === '' ? '' : ' '.repeat(Math.max(before, 0)) + s + ' '.repeat(Math.max(after, 0));
}

/** Go's strings.Title: upper-cases the first letter of each word. */
export function title(s: string): string {
  let prev = ' ';
  return [...s]
    .map((c) => {
      const out = isSeparator(prev) ? c.toUpperCase() : c;
      prev = c;
      return out;
    })
    .join('');
}

/** Go's word separators for Title: not an ASCII letter, digit or _; beyond ASCII, spaces. */
function isSeparator(c: string): boolean {
  if (c.codePointAt(0)! < 0x80) return !/[A-Za-z0-9_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

