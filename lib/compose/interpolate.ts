// The Compose Specification's variable interpolation: `${VAR}`, `$VAR`,
// `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
// `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`, and defaults that
// hold more substitutions (`${A:-${B:-x}}`). Applied to every string value of
// a compose file (never to keys), before the file is validated, as docker
// compose does. An unset variable without a default becomes "" and a
// warning, as in compose.
import { UsageError } from '../core/errors.js';

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** A failed substitution; the loader adds the file and key in front. */
export class InterpolationError extends UsageError {}

/** `text` with every substitution done; names used unset (no default) go to `unset`. */
export function interpolate(text: string, lookup: Lookup, unset?: Set<string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for "${text}": "\${" without "}"`);
      out += braced(text.slice(i + 2, end), lookup, unset, text);
      i = end + 1;
    } else {
      const m = NAME.exec(text.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      out += value(m[0], lookup, unset);
      i += 1 + m[0].length;
    }
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`; nested `${...}` skipped. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function value(name: string, lookup: Lookup, unset: Set<string> | undefined): string {
  const v = lookup(name);
  if (v === undefined) unset?.add(name);
  return v ?? '';
}

function braced(body: string, lookup: Lookup, unset: Set<string> | undefined, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format for "${whole}": "\${${body}}" does not start with a variable name`);
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') return value(name, lookup, unset);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new InterpolationError(`invalid interpolation format for "${whole}": "\${${body}}"`);
  const arg = () => interpolate(rest.slice(op.length), lookup, unset);
  const v = lookup(name);
  const set = v !== undefined;
  const nonEmpty = set && v !== '';
  switch (op) {
    case ':-':
      return nonEmpty ? v : arg();
    case '-':
      return set ? v : arg();
    case ':?':
      if (nonEmpty) return v;
      throw new InterpolationError(`required variable ${name} is missing a value${missingText(arg())}`);
    case '?':
      if (set) return v;
      throw new InterpolationError(`required variable ${name} is missing a value${missingText(arg())}`);
    case ':+':
      return nonEmpty ? arg() : '';
    default:
      return set ? arg() : '';
  }
}

const missingText = (s: string) => (s ? `: ${s}` : '');

/**
 * Every string in a parsed YAML tree interpolated (keys are not); `path` is
 * the key path for the error message ("services.web.image: required variable
 * TAG is missing a value").
 */
export function interpolateTree(tree: unknown, lookup: Lookup, unset: Set<string>, path = ''): unknown {
  if (typeof tree === 'string') {
    try {
      return interpolate(tree, lookup, unset);
    } catch (err) {
      if (err instanceof InterpolationError) throw new InterpolationError(path ? `${path}: ${err.message}` : err.message);
      throw err;
    }
  }
  if (Array.isArray(tree)) return tree.map((v, i) => interpolateTree(v, lookup, unset, `${path}[${i}]`));
  if (tree && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = interpolateTree(v, lookup, unset, path ? `${path}.${k}` : k);
    return out;
  }
  return tree;
}
