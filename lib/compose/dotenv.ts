// `.env` and env_file files as docker compose reads them (compose-go's
// dotenv): `KEY=value`, an optional `export ` prefix, `#` comments (whole
// lines, or after a blank in an unquoted value), single quotes literal,
// double quotes with \n \t \" \\ escapes and interpolation, unquoted values
// trimmed and interpolated; quoted values may span lines. A bare `KEY` takes
// its value from the lookup, or is left out when that has none.
import { UsageError } from '../core/errors.js';
import { interpolate, type Lookup } from './interpolate.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The variables of `text` in order; `file` names it in errors, `lookup` resolves `${VAR}` in values (earlier keys of the file first). */
export function parseDotenv(text: string, file: string, lookup: Lookup = () => undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const look: Lookup = (name) => (Object.hasOwn(out, name) ? out[name] : lookup(name));
  const src = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  let i = 0;
  let line = 1;
  while (i < src.length) {
    let eol = src.indexOf('\n', i);
    if (eol < 0) eol = src.length;
    const raw = src.slice(i, eol);
    const startLine = line;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i = eol + 1;
      line++;
      continue;
    }
    const body = trimmed.replace(/^export\s+/, '');
    const eq = body.search(/[=:]/);
    if (eq < 0) {
      if (!KEY.test(body)) throw new UsageError(`${file}:${startLine}: invalid variable name "${body}"`);
      const v = lookup(body);
      if (v !== undefined) out[body] = v;
      i = eol + 1;
      line++;
      continue;
    }
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) throw new UsageError(`${file}:${startLine}: invalid variable name "${key}"`);
    // The value starts after the separator in the whole source (quoted values may run on).
    const valueStart = i + raw.indexOf(body) + eq + 1;
    let j = valueStart;
    while (src[j] === ' ' || src[j] === '\t') j++;
    const q = src[j];
    if (q === '"' || q === "'") {
      let k = j + 1;
      let v = '';
      for (; k < src.length && src[k] !== q; k++) {
        if (src[k] === '\n') line++;
        if (q === '"' && src[k] === '\\' && k + 1 < src.length) {
          const e = src[++k]!;
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '"' || e === '\\' || e === '$' ? (e === '$' ? '$$' : e) : `\\${e}`;
        } else v += src[k];
      }
      if (k >= src.length) throw new UsageError(`${file}:${startLine}: ${key}: unterminated quoted value`);
      out[key] = q === '"' ? interpolate(v, look) : v;
      const after = src.indexOf('\n', k);
      i = after < 0 ? src.length : after + 1;
      line++;
      continue;
    }
    let v = src.slice(j, eol);
    const hash = v.search(/\s#/);
    if (hash >= 0) v = v.slice(0, hash);
    out[key] = interpolate(v.trim(), look);
    i = eol + 1;
    line++;
  }
  return out;
}
