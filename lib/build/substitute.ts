// Variable substitution in Dockerfile instructions: a line-by-line port of
// buildkit's shell lexer (frontend/dockerfile/shell/lex.go): $VAR, ${VAR},
// the ${VAR:-x} family, the # % pattern trims and ${VAR/pat/repl}; quotes
// and the escape character are processed (removed) as a shell would. Only
// substituteWords (buildkit's ProcessWords, which EXPOSE uses) splits into
// words. RUN's shell form is not substituted here: the shell in the
// container does that.
//
// Deliberate differences from lex.go: an unterminated `${NAME` reports
// "missing '}'" (buildkit reports an unsupported modifier of U+FFFD), and
// ProcessWords' shared word buffer, which drops the text before a nested
// ${VAR:-word} in the same word, is not reproduced.
//
// ArgScope models which names a line may use: global ARGs (before the first
// FROM) only in FROM lines unless a stage re-declares them, the predefined
// platform and proxy args, --build-arg values, ENV over ARG within a stage.

import { goQuote } from '../cli/template/quote.js';
import { UsageError } from '../core/errors.js';

/** Returns a variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

export interface SubstituteOptions {
  /** The Dockerfile's escape character (default `\`). */
  escape?: string;
}

/** The switches of buildkit's Lex; substitute() and substituteWords() use none of them. */
export interface LexOptions extends SubstituteOptions {
  /** Keep quote characters in the output (Lex.RawQuotes). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output (Lex.RawEscapes). */
  rawEscapes?: boolean;
  /** Leave a reference to an unset variable as written (Lex.SkipUnsetEnv). */
  skipUnsetEnv?: boolean;
  /** Treat quotes as plain characters (Lex.SkipProcessQuotes, for heredoc contents). */
  skipProcessQuotes?: boolean;
}

/**
 * A substitution the lexer cannot do: unterminated quote or ${, bad modifier,
 * ${VAR:?msg}. Thrown without a location; the builder, which knows the line,
 * adds it with `err.at(file, line, instruction)` or withLocation().
 */
export class SubstitutionError extends UsageError {
  file?: string;
  line?: number;
  instruction?: string;

  constructor(readonly what: string) {
    super(what);
  }

  /**
   * The same error located like a DockerfileError: `FILE:LINE: INSTRUCTION: what`
   * (still a UsageError, exit 125). An error already located is returned as is.
   */
  at(file: string, line: number, instruction: string): SubstitutionError {
    if (this.line !== undefined) return this;
    const located = new SubstitutionError(this.what);
    located.message = `${file}:${line}: ${instruction}: ${this.what}`;
    located.file = file;
    located.line = line;
    located.instruction = instruction;
    return located;
  }
}

/**
 * Runs fn (the substitutions of one instruction) and rethrows a
 * SubstitutionError located at the instruction: `FILE:LINE: KIND: what`.
 * For example `withLocation(file, instr, () => scope.substitute(instr.path))`.
 */
export function withLocation<T>(file: string, instr: { line: number; kind: string }, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SubstitutionError) throw err.at(file, instr.line, instr.kind);
    throw err;
  }
}

// Go's unicode.IsSpace, IsLetter, IsDigit.
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const isSpace = (ch: string) => SPACE.test(ch);
const isDigit = (ch: string) => DIGIT.test(ch);
const isNameChar = (ch: string) => LETTER.test(ch) || isDigit(ch) || ch === '_';
/** POSIX special parameters: $@ $* $# $? $- $$ $! $0. */
const isSpecialParam = (ch: string) => '@*#?-$!0'.includes(ch);

/** lex.go's wordsStruct: characters from a variable are split on spaces, quoted and escaped ones are not. */
class Words {
  private buf = '';
  private words: string[] = [];
  private inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch) && this.inWord) {
      if (this.buf.length !== 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else if (!isSpace(ch)) this.addRawChar(ch);
  }

  addRawChar(ch: string): void {
    this.buf += ch;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }

  get(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  private readonly escape: string;

  constructor(
    text: string,
    private readonly lookup: Lookup,
    private readonly options: LexOptions,
  ) {
    this.chars = Array.from(text);
    this.rawEscapes = options.rawEscapes ?? false;
    this.escape = options.escape ?? '\\';
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    const ch = this.chars[this.pos];
    if (ch !== undefined) this.pos++;
    return ch;
  }

  /** Processes until stop (unquoted, outside ${}) or the end; a missing stop is an error. */
  processStopOn(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
        if (stop !== undefined && ch === stop) {
          this.next();
          return { result, words: words.get() };
        }
        if (ch === '$') {
          const tmp = this.processDollar();
          result += tmp;
          words.addString(tmp);
        } else if (ch === '<') {
          const tmp = this.processPossibleHeredoc();
          result += tmp;
          words.addRawString(tmp);
        } else if (!this.options.skipProcessQuotes && (ch === "'" || ch === '"')) {
          const tmp = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
          result += tmp;
          words.addRawString(tmp);
        } else {
          let c = this.next() as string;
          if (c === this.escape) {
            if (this.rawEscapes) {
              words.addRawChar(c);
              result += c;
            }
            // The escape character escapes the next one; at the end it is dropped.
            const escaped = this.next();
            if (escaped === undefined) break;
            c = escaped;
            words.addRawChar(c);
          } else words.addChar(c);
          result += c;
        }
      }
      if (stop !== undefined) throw new SubstitutionError(`unexpected end of statement while looking for matching ${stop}`);
      return { result, words: words.get() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; a ' cannot be escaped.
    let result = '';
    const open = this.next() as string;
    if (this.options.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new SubstitutionError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.options.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except $, and the escape character before " $ or itself.
    let result = '';
    const open = this.next() as string;
    if (this.options.rawQuotes) result += open;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new SubstitutionError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        if (this.options.rawQuotes) result += ch;
        return result;
      }
      if (ch === '$') {
        result += this.processDollar();
        continue;
      }
      let c = this.next() as string;
      if (c === this.escape) {
        if (this.rawEscapes) result += c;
        const after = this.peek();
        if (after === undefined) continue; // an escape at the end is ignored (then the quote is missing)
        if (after === '"' || after === '$' || after === this.escape) c = this.next() as string;
      }
      result += c;
    }
  }

  private getEnv(name: string): string | undefined {
    return this.lookup(name);
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new SubstitutionError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new SubstitutionError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    if (ch === undefined) throw new SubstitutionError("syntax error: missing '}'");
    let chs = ch;
    let nullIsUnset = false;
    if (ch === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === '/') return this.processReplace(name);
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next() ?? '';
      chs += ch;
    } else if (!'+-?#%'.includes(ch)) {
      throw new SubstitutionError(`unsupported modifier (${chs}) in substitution`);
    }
    const rawEscapes = ch === '#' || ch === '%';
    if (nullIsUnset && rawEscapes) throw new SubstitutionError(`unsupported modifier (${chs}) in substitution`);
    let word: string;
    try {
      word = this.processStopOn('}', rawEscapes).result;
    } catch (err) {
      if (this.peek() === undefined) throw new SubstitutionError("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}${chs}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : (value as string);
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new SubstitutionError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new SubstitutionError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '%':
      case '#': {
        // %/# remove the shortest match, %%/## the longest.
        const greedy = word.length > 0 && word[0] === ch;
        const pattern = greedy ? word.slice(1) : word;
        return ch === '%' ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
      }
      default:
        throw new SubstitutionError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** ${NAME/pattern/replacement} and ${NAME//pattern/replacement}: the replacement is not optional. */
  private processReplace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      pattern = this.processStopOn('/', true).result;
    } catch (err) {
      if (this.peek() === undefined) throw new SubstitutionError("syntax error: missing '/' in ${}");
      throw err;
    }
    let replacement: string;
    try {
      replacement = this.processStopOn('}', true).result;
    } catch (err) {
      if (this.peek() === undefined) throw new SubstitutionError("syntax error: missing '}'");
      throw err;
    }
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const re = new RegExp(patternSource(pattern, true, false), all ? 'gu' : 'u');
    const subject = value ?? '';
    if (all) return subject.replace(re, (match) => goExpand(replacement, match));
    const m = re.exec(subject);
    return m ? subject.slice(0, m.index) + replacement + subject.slice(m.index + m[0].length) : subject;
  }

  /** A name: letters, digits and _; or all the digits of a positional parameter; or one special parameter. */
  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== undefined && isDigit(this.peek() as string)) name += this.next() as string;
        return name;
      }
      if (name === '' && isSpecialParam(ch)) {
        this.next();
        return ch;
      }
      if (!isNameChar(ch)) break;
      name += this.next() as string;
    }
    return name;
  }

  /** `<<` and the blanks after it stay one word, for heredoc detection. */
  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let space = '';
    for (let ch = this.peek(); ch === '\t' || ch === '\r' || ch === ' '; ch = this.peek()) space += this.next() as string;
    return '<<' + space;
  }
}

/** Go's Regexp.Expand on a pattern without groups: $0 and ${0} are the match, $$ a dollar, other names nothing. */
function goExpand(template: string, match: string): string {
  return template.replace(/\$(?:(\$)|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu, (_m, dollar?: string, braced?: string, bare?: string) => {
    if (dollar) return '$';
    const name = (braced ?? bare) as string;
    return /^[0-9]+$/.test(name) && Number(name) === 0 ? match : '';
  });
}

/**
 * buildkit's convertShellPatternToRegex: `*` (greedy or not), `?`, and `\`
 * escaping only `*`, `?` and `\` (a `\` before `}` or `/` is dropped). No
 * bracket expressions: `[` is literal. Returns the source of a `u` RegExp.
 */
function patternSource(pattern: string, greedy: boolean, anchored: boolean): string {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  // Go's `.` does not match a newline; JavaScript's does not match \r, \u2028, \u2029 either.
  const any = '[^\\n]';
  for (let i = 0; i < chars.length; i++) {
    let tok = chars[i] as string;
    switch (tok) {
      case '*':
        out += greedy ? `${any}*` : `${any}*?`;
        continue;
      case '?':
        out += any;
        continue;
      case '\\': {
        const after = chars[i + 1];
        if (after === '}' || after === '/') continue;
        out += '\\';
        i++;
        tok = after ?? '\uFFFD';
        if (tok !== '*' && tok !== '?' && tok !== '\\') throw new SubstitutionError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${tok}'`);
        break;
      }
      case '[':
      case ']':
      case '{':
      case '}':
      case '.':
      case '+':
      case '(':
      case ')':
      case '|':
      case '^':
      case '$':
        out += '\\';
        break;
    }
    out += tok;
  }
  return out;
}

/**
 * A ${VAR#pattern} pattern as the source of a regular expression (for the
 * `u` flag), as buildkit converts it: greedy `*` by default, unanchored.
 */
export function globToRegExp(pattern: string, greedy = true, anchored = false): string {
  return patternSource(pattern, greedy, anchored);
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = new RegExp(patternSource(pattern, greedy, true), 'u').exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverses a pattern keeping each `\x` pair in order (a\*c -> c\*a). */
function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out: string[] = new Array<string>(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last; ) {
    const tok = runes[i] as string;
    const at = last - i;
    if (tok === '\\' && i !== last) {
      out[at - 1] = tok;
      out[at] = runes[i + 1] as string;
      i += 2;
    } else {
      out[at] = tok;
      i++;
    }
  }
  return out.join('');
}

const reverseString = (s: string) => Array.from(s).reverse().join('');

/** The shortest (or longest) suffix match, found as a prefix match of the reversed value. */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** buildkit's Lex.process: the processed text and its words; errors name the text (`failed to process "…": …`). */
export function shellLex(text: string, lookup: Lookup, options: LexOptions = {}): { result: string; words: string[] } {
  const sw = new ShellWord(text, lookup, options);
  try {
    return sw.processStopOn(undefined, options.rawEscapes ?? false);
  } catch (err) {
    if (err instanceof SubstitutionError) throw new SubstitutionError(`failed to process ${goQuote(text)}: ${err.what}`);
    throw err;
  }
}

/**
 * One word, substituted and unquoted (buildkit's ProcessWord): what ENV and
 * LABEL keys and values, ARG defaults, WORKDIR, USER, STOPSIGNAL, FROM, each
 * COPY/ADD source and destination, each VOLUME path and flag values go through.
 */
export function substitute(text: string, lookup: Lookup, options: SubstituteOptions = {}): string {
  return shellLex(text, lookup, { escape: options.escape ?? '\\' }).result;
}

/**
 * Substituted, then split on whitespace outside quotes (buildkit's
 * ProcessWords), which buildkit uses for each EXPOSE word: a value with spaces
 * that came from a variable is split, unless the reference was in quotes.
 */
export function substituteWords(text: string, lookup: Lookup, options: SubstituteOptions = {}): string[] {
  return shellLex(text, lookup, { escape: options.escape ?? '\\' }).words;
}

/**
 * The contents of a heredoc whose delimiter was not quoted (COPY <<EOF): as
 * buildkit expands them, with `\` as the escape character whatever the
 * escape directive, and quotes kept as plain characters.
 */
export function substituteHeredoc(content: string, lookup: Lookup): string {
  return shellLex(content, lookup, { escape: '\\', skipProcessQuotes: true }).result;
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
