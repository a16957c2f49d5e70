// Variable substitution in Dockerfile instructions, the way buildkit's shell
// lexer does it (frontend/dockerfile/shell/lex.go): $VAR, ${VAR}, the
// ${VAR:-x} family and the # % pattern trims; quotes and the escape character
// are processed (removed) as a shell would, except that nothing is split on
// IFS unless the caller asks for words. RUN's shell form is not substituted
// here: the shell in the container does that.
//
// ArgScope models which names a line may use: global ARGs (before the first
// FROM) only in FROM lines unless a stage re-declares them, the predefined
// platform and proxy args, --build-arg values, ENV over ARG within a stage.

import { UsageError } from '../core/errors.js';

/** Returns a variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

export interface SubstituteOptions {
  /** The Dockerfile's escape character (default `\`). */
  escape?: string;
}

/** A substitution the lexer cannot do: unterminated quote or ${, bad modifier, ${VAR:?msg}. */
export class SubstitutionError extends UsageError {}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class Lexer {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
    private readonly escape: string,
    /** Keep quotes and escapes in the output (for later word splitting). */
    private readonly raw: boolean,
  ) {}

  private peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  /** Processes until one of stopAt (unquoted) or the end; returns the text and whether the stop was seen. */
  word(stopAt = ''): { value: string; stopped: boolean } {
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      if (stopAt.includes(ch)) {
        this.pos++;
        return { value: out, stopped: true };
      }
      if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else if (ch === '$') out += this.dollar(false);
      else if (ch === this.escape) {
        this.pos++;
        const next = this.peek();
        if (next === undefined) {
          out += ch;
        } else {
          out += this.raw ? ch + next : next;
          this.pos++;
        }
      } else {
        out += ch;
        this.pos++;
      }
    }
    return { value: out, stopped: false };
  }

  private singleQuoted(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    if (end < 0) throw new SubstitutionError('unexpected end of statement while looking for matching single-quote');
    const inner = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return this.raw ? `'${inner}'` : inner;
  }

  private doubleQuoted(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new SubstitutionError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.pos++;
        return this.raw ? `"${out}"` : out;
      }
      if (ch === '$') {
        out += this.dollar(true);
        continue;
      }
      this.pos++;
      if (ch === this.escape) {
        const next = this.peek();
        if (next === '"' || next === '$' || next === this.escape) {
          this.pos++;
          out += this.raw ? ch + next : next;
          continue;
        }
      }
      out += ch;
    }
  }

  /** At a `$`: a name, ${...}, or a lone dollar sign. */
  private dollar(quoted: boolean): string {
    this.pos++;
    const ch = this.peek();
    if (ch === '{') {
      this.pos++;
      return this.braced(quoted);
    }
    if (ch !== undefined && NAME_START.test(ch)) {
      const name = this.name();
      return this.protect(this.lookup(name) ?? '', quoted);
    }
    if (ch !== undefined && /[0-9@*#?!$-]/.test(ch)) {
      // Positional and special shell parameters: buildkit expands them to nothing.
      this.pos++;
      return '';
    }
    return '$';
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** In raw mode an expanded value must not bring new quotes or escapes into the word splitting. */
  private protect(value: string, _quoted: boolean): string {
    if (!this.raw) return value;
    let out = '';
    for (const c of value) out += c === "'" || c === '"' || c === this.escape ? this.escape + c : c;
    return out;
  }

  private braced(quoted: boolean): string {
    const ch = this.peek();
    if (ch === undefined || !NAME_START.test(ch)) {
      throw new SubstitutionError(`bad substitution: \${${this.text.slice(this.pos, this.pos + 10)}`);
    }
    const name = this.name();
    const value = this.lookup(name);
    const op = this.peek();
    if (op === '}') {
      this.pos++;
      return this.protect(value ?? '', quoted);
    }
    if (op === undefined) throw new SubstitutionError(`missing '}' in \${${name}`);
    let modifier = op;
    this.pos++;
    if (op === ':') {
      const second = this.peek();
      if (second !== '-' && second !== '+' && second !== '?') {
        throw new SubstitutionError(`unsupported modifier (:${second ?? ''}) in substitution of ${name}`);
      }
      modifier += second;
      this.pos++;
    } else if ((op === '#' || op === '%' || op === '/') && this.peek() === op) {
      modifier += op;
      this.pos++;
    }
    if (modifier === '/' || modifier === '//') {
      const pattern = this.innerWord('/}');
      const replacement = pattern.stopped === '/' ? this.innerWord('}').value : '';
      if (value === undefined) return '';
      return this.protect(replaceGlob(value, pattern.value, replacement, modifier === '//'), quoted);
    }
    const { value: word } = this.innerWord('}');
    switch (modifier) {
      case '-':
        return value === undefined ? word : this.protect(value, quoted);
      case ':-':
        return value ? this.protect(value, quoted) : word;
      case '+':
        return value === undefined ? '' : word;
      case ':+':
        return value ? word : '';
      case '?':
      case ':?':
        if (value === undefined || (modifier === ':?' && value === '')) {
          throw new SubstitutionError(`${name}: ${word || 'is not allowed to be unset'}`);
        }
        return this.protect(value, quoted);
      case '#':
      case '##':
        return this.protect(trimPrefix(value ?? '', word, modifier === '##'), quoted);
      case '%':
      case '%%':
        return this.protect(trimSuffix(value ?? '', word, modifier === '%%'), quoted);
      default:
        throw new SubstitutionError(`unsupported modifier (${modifier}) in substitution of ${name}`);
    }
  }

  /** The word of a ${VAR op word}: processed, quotes removed, up to an unquoted stop character. */
  private innerWord(stopAt: string): { value: string; stopped: string } {
    const inner = new Lexer(this.text, this.lookup, this.escape, false);
    inner.pos = this.pos;
    const { value, stopped } = inner.word(stopAt);
    if (!stopped) throw new SubstitutionError(`missing '}' in substitution`);
    this.pos = inner.pos;
    return { value, stopped: this.text[this.pos - 1] as string };
  }
}

/** A shell glob (* ? [...] with escapes) as a regular expression source. */
export function globToRegExp(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else if (ch === '\\' && i + 1 < pattern.length) out += escapeRegExp(pattern[++i] as string);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
      out += '[' + body.replace(/\\/g, '\\\\').replace(/^\^?\]/, (m) => m.replace(']', '\\]')) + ']';
      i = end;
    } else out += escapeRegExp(ch);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function trimPrefix(value: string, pattern: string, longest: boolean): string {
  const re = new RegExp(`^(?:${globToRegExp(pattern)})$`);
  const lengths = [...Array(value.length + 1).keys()];
  if (longest) lengths.reverse();
  for (const n of lengths) if (re.test(value.slice(0, n))) return value.slice(n);
  return value;
}

function trimSuffix(value: string, pattern: string, longest: boolean): string {
  const re = new RegExp(`^(?:${globToRegExp(pattern)})$`);
  const starts = [...Array(value.length + 1).keys()];
  if (!longest) starts.reverse();
  for (const n of starts) if (re.test(value.slice(n))) return value.slice(0, n);
  return value;
}

function replaceGlob(value: string, pattern: string, replacement: string, all: boolean): string {
  if (pattern === '') return value;
  const re = new RegExp(`^(?:${globToRegExp(pattern)})`);
  let out = '';
  let i = 0;
  let done = false;
  while (i < value.length) {
    if (!done) {
      // Longest match starting here.
      let best = -1;
      for (let n = value.length; n > i; n--) {
        if (re.test(value.slice(i, n)) && new RegExp(`^(?:${globToRegExp(pattern)})$`).test(value.slice(i, n))) {
          best = n;
          break;
        }
      }
      if (best > 0) {
        out += replacement;
        i = best;
        if (!all) done = true;
        continue;
      }
    }
    out += value[i];
    i++;
  }
  return out;
}

/**
 * One word, substituted and unquoted (buildkit's ProcessWord): what ENV,
 * LABEL, ARG values, WORKDIR, USER, FROM and flag values go through.
 */
export function substitute(text: string, lookup: Lookup, options: SubstituteOptions = {}): string {
  return new Lexer(text, lookup, options.escape ?? '\\', false).word().value;
}

/**
 * Substituted, then split on whitespace outside quotes (buildkit's
 * ProcessWords): the sources and destination of COPY and ADD, EXPOSE ports,
 * VOLUME paths. A value with spaces that came from a variable is split too,
 * unless the reference was in double quotes.
 */
export function substituteWords(text: string, lookup: Lookup, options: SubstituteOptions = {}): string[] {
  const escape = options.escape ?? '\\';
  const raw = new Lexer(text, lookup, escape, true).word().value;
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (quote) {
      if (ch === quote) quote = '';
      else if (quote === '"' && ch === escape && i + 1 < raw.length) word += raw[++i];
      else word += ch;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === escape && i + 1 < raw.length) word += raw[++i];
    else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/** Args every build knows without an ARG line (for RUN's environment: only when given). */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** Platform args: global (usable in FROM) without a declaration; a stage must declare them (ARG TARGETOS) to use them. */
export const PLATFORM_ARGS = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT'];

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** The values of PLATFORM_ARGS for a build and a target platform. */
export function platformArgs(build: Platform, target: Platform = build): Record<string, string> {
  const spec = (p: Platform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
  return {
    BUILDPLATFORM: spec(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant ?? '',
    TARGETPLATFORM: spec(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant ?? '',
  };
}

export interface ArgScopeOptions {
  /** --build-arg NAME=VALUE pairs. */
  buildArgs?: Record<string, string>;
  /** Values for PLATFORM_ARGS (see platformArgs). */
  platform?: Record<string, string>;
  escape?: string;
}

/**
 * The global scope of a build: ARGs declared before the first FROM. Make one
 * per build, declare the global ARGs, then `stage()` for each FROM.
 */
export class ArgScope {
  private readonly globals = new Map<string, string | undefined>();
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly platform: Readonly<Record<string, string>>;
  readonly escape: string;
  /** Build args that some ARG line (or the proxy list) consumed: the rest are reported unused, as docker warns. */
  readonly usedBuildArgs = new Set<string>();

  constructor(options: ArgScopeOptions = {}) {
    this.buildArgs = { ...options.buildArgs };
    this.platform = { ...options.platform };
    this.escape = options.escape ?? '\\';
  }

  /** ARG NAME[=default] before the first FROM. The default is substituted with earlier global args. */
  declareGlobal(name: string, rawDefault?: string): void {
    const fromBuildArg = Object.hasOwn(this.buildArgs, name);
    if (fromBuildArg) this.usedBuildArgs.add(name);
    const value = fromBuildArg
      ? this.buildArgs[name]
      : rawDefault === undefined
        ? undefined
        : substitute(rawDefault, this.fromLookup, { escape: this.escape });
    this.globals.set(name, value);
  }

  /** What a FROM line may name: global ARGs and the platform args. */
  readonly fromLookup: Lookup = (name) => (this.globals.has(name) ? this.globals.get(name) : this.platform[name]);

  /** A stage's scope, starting empty. */
  stage(): StageScope {
    return new StageScope(this);
  }

  /** The global value of an ARG, for a stage re-declaring it without a default. */
  globalValue(name: string): string | undefined {
    return this.fromLookup(name);
  }
}

/** Within one stage: declared ARGs, then ENV on top of them. */
export class StageScope {
  private readonly args = new Map<string, string | undefined>();
  private readonly env = new Map<string, string>();

  constructor(private readonly global: ArgScope) {}

  /**
   * ARG NAME[=default] in the stage. The value is the --build-arg, else the
   * default (substituted in this stage's scope), else the global ARG's value.
   */
  declareArg(name: string, rawDefault?: string): void {
    const { buildArgs } = this.global;
    let value: string | undefined;
    if (Object.hasOwn(buildArgs, name)) {
      value = buildArgs[name];
      this.global.usedBuildArgs.add(name);
    } else if (rawDefault !== undefined) value = this.substitute(rawDefault);
    else value = this.global.globalValue(name);
    this.args.set(name, value);
  }

  /** ENV NAME=VALUE: the raw value is substituted, then it hides an ARG of that name. */
  setEnv(name: string, rawValue: string): void {
    this.env.set(name, this.substitute(rawValue));
  }

  /** An ENV whose value is already substituted (several on one line, or the base image's). */
  defineEnv(name: string, value: string): void {
    this.env.set(name, value);
  }

  /** The base image's environment, visible to substitution as ENV is. */
  seedEnv(env: readonly string[]): void {
    for (const e of env) {
      const eq = e.indexOf('=');
      if (eq > 0) this.env.set(e.slice(0, eq), e.slice(eq + 1));
    }
  }

  /** What a line of the stage sees: ENV first, then declared ARGs. Global ARGs not re-declared are not visible. */
  readonly lookup: Lookup = (name) => (this.env.has(name) ? this.env.get(name) : this.args.get(name));

  substitute(text: string): string {
    return substitute(text, this.lookup, { escape: this.global.escape });
  }

  words(text: string): string[] {
    return substituteWords(text, this.lookup, { escape: this.global.escape });
  }

  /** The environment of a RUN: ENV, declared ARGs that have a value, proxy args given with --build-arg. */
  runEnvironment(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of PROXY_ARGS) {
      const v = this.global.buildArgs[name];
      if (v !== undefined) {
        out[name] = v;
        this.global.usedBuildArgs.add(name);
      }
    }
    for (const [k, v] of this.args) if (v !== undefined) out[k] = v;
    for (const [k, v] of this.env) out[k] = v;
    return out;
  }
}
