// Values are plain JSON-like data standing for Go values. An object stands
// for a Go struct, where a missing field is an error, unless it is a map
// (Labels and the like, or keys that cannot be Go field names), where a
// missing key prints "<no value>". Arrays are slices, undefined is Go's
// invalid value, null is nil.

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields whose objects are Go maps even when their keys look like field names. */
export const MAP_FIELDS = new Set(['Labels', 'Annotations', 'Options', 'DriverOpts', 'Sysctls', 'StorageOpt']);

/** Keys a Go struct could have; anything else (or no key at all) means a map. */
export function looksLikeMap(o: Obj): boolean {
  const keys = Object.keys(o);
  return !keys.length || keys.some((k) => !/^\p{Lu}[\p{L}\p{Nd}_]*$/u.test(k));
}

/** The Go type a value stands for, as Go's messages name it. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'int' : 'float64';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v === 'string' ? 'string' : 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'function') return 'func';
  return 'map[string]interface {}';
}

/** Go's truth: false, 0, nil, "", and empty arrays and objects are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** The order Go prints and ranges over a map in. */
export function sortedKeys(o: Obj): string[] {
  return Object.keys(o).sort();
}

/** What built-in functions ask the execution: whether an object is a Go map there (json sorts a map's keys). */
export interface CallContext {
  isMap(o: Obj): boolean;
}
