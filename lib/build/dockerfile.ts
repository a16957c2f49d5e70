// The Dockerfile language front end: text in, a typed syntax tree out
// (stages of instructions, flags parsed, shell or exec form, heredocs), or a
// DockerfileError naming the file, the line and the instruction. No
// substitution happens here: values are kept raw (quotes included, as
// buildkit keeps them) for substitute.ts to process at build time.
//
// The rules are buildkit's (frontend/dockerfile/parser and instructions):
// directives, continuations, comments, flags, JSON detection, heredocs. As in
// buildkit, FROM, EXPOSE and the shell form of COPY, ADD and VOLUME split on
// blanks without regard to quotes (`COPY "a b" c` is two broken sources: use
// the JSON form), while ENV, LABEL and ARG split on blanks outside quotes.

import { UsageError } from '../core/errors.js';
import { SubstitutionError, shellLex } from './substitute.js';

export class DockerfileError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly instruction: string,
    readonly what: string,
  ) {
    super(`${file}:${line}: ${instruction}: ${what}`);
  }
}

export interface Directives {
  syntax?: string;
  escape: string;
  check?: string;
}

export type CommandForm = { form: 'shell'; text: string } | { form: 'exec'; args: string[] };

export interface Heredoc {
  name: string;
  /** The lines between the marker and the terminator as written, line endings kept (leading tabs stripped for <<-). Expand with substituteHeredoc(). */
  content: string;
  /** False when the delimiter was quoted (<<"EOF", <<'EOF'): no substitution in the content. */
  expand: boolean;
  chomp: boolean;
  /** The file descriptor before << (3<<EOF), if any. */
  fd?: number;
}

export interface Mount {
  type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  /** Every key=value of the mount as written (a bare key is 'true'), type included. */
  options: Record<string, string>;
}

export interface KeyValue {
  /** Unquoted (a $VAR in it is left as written). */
  key: string;
  /** The key as written: buildkit substitutes keys too (substitute(rawKey) at build time). */
  rawKey?: string;
  /** Raw: quotes and escapes kept, processed by substitute(). */
  value: string;
}

interface Base {
  /** 1-based line where the instruction starts. */
  line: number;
  /** Last line (continuations and heredocs included). */
  endLine: number;
}

export interface FromInstr extends Base {
  kind: 'FROM';
  image: string;
  platform?: string;
  name?: string;
}
export interface RunInstr extends Base {
  kind: 'RUN';
  command: CommandForm;
  mounts: Mount[];
  network?: string;
  security?: string;
  heredocs: Heredoc[];
}
export interface CmdInstr extends Base {
  kind: 'CMD';
  command: CommandForm;
}
export interface EntrypointInstr extends Base {
  kind: 'ENTRYPOINT';
  command: CommandForm;
}
export interface ShellInstr extends Base {
  kind: 'SHELL';
  shell: string[];
}
export interface LabelInstr extends Base {
  kind: 'LABEL';
  labels: KeyValue[];
}
export interface EnvInstr extends Base {
  kind: 'ENV';
  env: KeyValue[];
}
export interface MaintainerInstr extends Base {
  kind: 'MAINTAINER';
  maintainer: string;
}
export interface ExposeInstr extends Base {
  kind: 'EXPOSE';
  ports: string[];
}
export interface CopyFlags {
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
}
export interface CopyInstr extends Base, CopyFlags {
  kind: 'COPY';
  from?: string;
  parents: boolean;
  sources: string[];
  dest: string;
  heredocs: Heredoc[];
}
export interface AddInstr extends Base, CopyFlags {
  kind: 'ADD';
  checksum?: string;
  keepGitDir: boolean;
  unpack?: boolean;
  sources: string[];
  dest: string;
  heredocs: Heredoc[];
}
export interface VolumeInstr extends Base {
  kind: 'VOLUME';
  paths: string[];
}
export interface UserInstr extends Base {
  kind: 'USER';
  user: string;
}
export interface WorkdirInstr extends Base {
  kind: 'WORKDIR';
  path: string;
}
export interface ArgInstr extends Base {
  kind: 'ARG';
  args: Array<{ name: string; default?: string }>;
}
export interface OnbuildInstr extends Base {
  kind: 'ONBUILD';
  trigger: Instruction;
  /** The trigger as written, for the image config's OnBuild list. */
  expression: string;
}
export interface StopsignalInstr extends Base {
  kind: 'STOPSIGNAL';
  signal: string;
}
export interface HealthcheckInstr extends Base {
  kind: 'HEALTHCHECK';
  /** undefined for HEALTHCHECK NONE. */
  command?: CommandForm;
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  startInterval?: string;
  retries?: string;
}

export type Instruction =
  | FromInstr
  | RunInstr
  | CmdInstr
  | LabelInstr
  | MaintainerInstr
  | ExposeInstr
  | EnvInstr
  | AddInstr
  | CopyInstr
  | EntrypointInstr
  | VolumeInstr
  | UserInstr
  | WorkdirInstr
  | ArgInstr
  | OnbuildInstr
  | StopsignalInstr
  | HealthcheckInstr
  | ShellInstr;

export interface Stage {
  /** Lowercased, as stage names are case-insensitive. */
  name?: string;
  index: number;
  from: { image: string; platform?: string };
  /** The stage's instructions, its FROM first. */
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  stages: Stage[];
  /** ARGs before the first FROM. */
  globalArgs: ArgInstr[];
}

const INSTRUCTIONS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
/** buildkit's reWhitespace. */
const BLANKS = /[\t\v\f\r ]+/;
/** Go's unicode.IsSpace, at the start or end of a string. */
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const TRAILING_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;
const isGoSpace = (ch: string) => LEADING_SPACE.test(ch);
const goTrim = (s: string) => s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');
const isComment = (s: string) => s.replace(LEADING_SPACE, '').startsWith('#');
const MOUNT_TYPES = new Set(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;

/** A logical line: an instruction with its continuations joined, and the heredocs that follow it. */
interface Logical {
  line: number;
  endLine: number;
  text: string;
}

class Parser {
  /** The lines, each with its own line ending (heredoc contents keep them). */
  private readonly lines: string[];
  private pos = 0;
  readonly directives: Directives = { escape: '\\' };
  private continuation = Parser.continuationFor('\\');

  constructor(
    text: string,
    readonly file: string,
  ) {
    this.lines = text.replace(/^\uFEFF/, '').split(/(?<=\n)/);
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  /**
   * buildkit's lineContinuationRegex: the escape character last on the line
   * (blanks after it allowed), not preceded by another one, or alone.
   */
  private static continuationFor(escape: string): RegExp {
    const e = `\\${escape}`;
    return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
  }

  fail(line: number, instruction: string, what: string): never {
    throw new DockerfileError(this.file, line, instruction, what);
  }

  /**
   * `# name=value` lines at the very top (leading blanks allowed). The first
   * line that is not one of syntax, escape or check ends them: a blank line,
   * an instruction, any other comment, an unknown directive.
   */
  readDirectives(): void {
    const seen = new Set<string>();
    while (this.pos < this.lines.length) {
      const text = trimNewline(this.lines[this.pos] as string).replace(LEADING_SPACE, '');
      if (!text.startsWith('#')) return;
      const m = DIRECTIVE.exec(text.slice(1).replace(LEADING_SPACE, ''));
      if (!m) return;
      const name = (m[1] as string).toLowerCase();
      if (name !== 'syntax' && name !== 'escape' && name !== 'check') return;
      const value = m[2] as string;
      const line = this.pos + 1;
      if (seen.has(name)) this.fail(line, name, `only one ${name} parser directive can be used`);
      seen.add(name);
      if (name === 'escape') {
        if (value !== '\\' && value !== '`') this.fail(line, 'escape', `invalid escape token '${value}' does not match \` or \\`);
        this.directives.escape = value;
        this.continuation = Parser.continuationFor(value);
      } else this.directives[name] = value;
      this.pos++;
    }
  }

  /** The line without its continuation mark, and whether the instruction goes on. */
  private trimContinuation(s: string): { text: string; more: boolean } {
    return this.continuation.test(s) ? { text: s.replace(this.continuation, '$1'), more: true } : { text: s, more: false };
  }

  /** The next instruction line, continuations joined (comment and empty lines inside skipped), or undefined at the end. */
  next(): Logical | undefined {
    while (this.pos < this.lines.length) {
      const first = trimNewline(this.lines[this.pos] as string).replace(LEADING_SPACE, '');
      this.pos++;
      if (first.startsWith('#')) continue;
      const line = this.pos;
      let { text, more } = this.trimContinuation(first);
      if (!more && text === '') continue;
      while (more && this.pos < this.lines.length) {
        const raw = trimNewline(this.lines[this.pos] as string);
        this.pos++;
        if (isComment(raw) || raw.replace(LEADING_SPACE, '') === '') continue;
        const part = this.trimContinuation(raw);
        text += part.text;
        more = part.more;
      }
      return { line, endLine: this.pos, text };
    }
    return undefined;
  }

  /** Reads the bodies of the heredocs a line opened, in order, from the lines after it. */
  readHeredocs(logical: Logical, instruction: string, markers: HeredocMarker[]): Heredoc[] {
    const docs: Heredoc[] = [];
    for (const m of markers) {
      let content = '';
      for (;;) {
        if (this.pos >= this.lines.length) this.fail(logical.line, instruction, `unterminated heredoc ${m.name}: no line "${m.name}" ends it`);
        const l = this.lines[this.pos] as string;
        this.pos++;
        let terminator = trimNewline(l);
        if (m.chomp) terminator = terminator.replace(/^\t+/, '');
        if (terminator === m.name) break;
        content += l;
      }
      // <<- strips leading tabs from the contents too (buildkit's ChompHeredocContent).
      if (m.chomp) content = content.replace(/^\t+/gm, '');
      docs.push({ name: m.name, content, expand: m.expand, chomp: m.chomp, ...(m.fd !== undefined ? { fd: m.fd } : {}) });
    }
    logical.endLine = this.pos;
    return docs;
  }
}

interface HeredocMarker {
  name: string;
  expand: boolean;
  chomp: boolean;
  fd?: number;
}

/**
 * buildkit's parseWords (ENV, LABEL, ARG): splits on blanks outside quotes;
 * quotes and escapes stay in the words (an escape at the very end is dropped).
 */
export function splitRaw(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  const chars = Array.from(text);
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i] as string;
    if (!inWord && !quote) {
      if (isGoSpace(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      // The escape character works in double quotes only.
      if (ch === escape && quote !== "'") {
        if (i + 1 === chars.length) {
          quote = '';
          continue;
        }
        word += ch;
        ch = chars[++i] as string;
      }
      word += ch;
      continue;
    }
    if (isGoSpace(ch)) {
      if (blankOK || word.length > 0) words.push(word);
      word = '';
      inWord = false;
      blankOK = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
    }
    if (ch === escape) {
      if (i + 1 === chars.length) continue;
      word += ch;
      ch = chars[++i] as string;
    }
    word += ch;
  }
  if ((inWord || quote) && (blankOK || word.length > 0)) words.push(word);
  return words;
}

/** buildkit's reWhitespace split (FROM, EXPOSE, the shell form of COPY, ADD, VOLUME): quotes mean nothing. */
function splitBlanks(text: string): string[] {
  return text === '' ? [] : text.split(BLANKS);
}

const HEREDOC = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

/** One word as a heredoc marker (buildkit's ParseHeredoc), or undefined. */
function heredocMarker(word: string): HeredocMarker | undefined {
  const m = HEREDOC.exec(word);
  if (!m || m[3] === '') return undefined;
  const rest = m[3] as string;
  const none = () => undefined;
  const words = shellLex(rest, none, { skipUnsetEnv: true }).words;
  if (words.length !== 1) return undefined;
  const raw = shellLex(rest, none, { skipUnsetEnv: true, rawQuotes: true }).words;
  const name = words[0] as string;
  const quotes = (s: string) => s.split(/['"]/).length - 1;
  return { name, expand: quotes(name) === quotes(raw[0] ?? ''), chomp: m[2] === '-', ...(m[1] ? { fd: Number(m[1]) } : {}) };
}

/** The heredocs a whole line opens (buildkit's heredocsFromLine: `\` escapes, whatever the directive). */
function heredocMarkers(line: string): HeredocMarker[] {
  let words: string[];
  try {
    words = shellLex(line, () => undefined, { escape: '\\', rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).words;
  } catch {
    words = [];
  }
  return words.map(heredocMarker).filter((m): m is HeredocMarker => m !== undefined);
}

type FlagValue = string | true;

interface Flags {
  values: Map<string, FlagValue[]>;
  rest: string;
}

/**
 * buildkit's extractBuilderFlags: the leading words that start with `--`,
 * quotes removed and escapes processed; a lone `--` ends them. Then, as
 * BFlags.Parse, each must be one the instruction takes.
 */
function parseFlags(p: Parser, line: string): { words: string[]; rest: string } {
  const words: string[] = [];
  const escape = p.directives.escape;
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const end = pos === line.length;
    let ch = line[pos] as string;
    if (!inWord) {
      if (end) break;
      if (isGoSpace(ch)) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { words, rest: goTrim(line.slice(pos)) };
      inWord = true;
    }
    if (end) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (!quote) {
      if (isGoSpace(ch)) {
        inWord = false;
        if (word === '--') return { words, rest: goTrim(line.slice(pos)) };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        continue;
      }
    } else if (ch === quote) {
      quote = '';
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === line.length) {
        quote = '';
        continue;
      }
      ch = line[++pos] as string;
    }
    word += ch;
  }
  return { words, rest: '' };
}

/** BFlags.Parse: `--name=value` or a bare `--name` (true, for booleans). */
function checkFlags(p: Parser, at: Logical, instruction: string, words: string[], allowed: readonly string[]): Flags['values'] {
  const values = new Map<string, FlagValue[]>();
  for (const w of words) {
    const eq = w.indexOf('=');
    const flag = eq < 0 ? w : w.slice(0, eq);
    const name = flag.slice(2);
    if (!allowed.includes(name)) p.fail(at.line, instruction, `unknown flag: ${flag}`);
    values.set(name, [...(values.get(name) ?? []), eq < 0 ? true : w.slice(eq + 1)]);
  }
  return values;
}

const LIST_FLAGS = new Set(['mount', 'exclude', 'device']);

function stringFlag(p: Parser, at: Logical, instruction: string, flags: Flags, name: string): string | undefined {
  const all = flags.values.get(name);
  if (!all) return undefined;
  if (all.length > 1 && !LIST_FLAGS.has(name)) p.fail(at.line, instruction, `duplicate flag specified: --${name}`);
  const v = all[all.length - 1];
  if (v === true) p.fail(at.line, instruction, `missing a value on flag: --${name}`);
  // An empty value is as good as none (buildkit's Flag.Value "").
  return v === '' ? undefined : v;
}

function boolFlag(p: Parser, at: Logical, instruction: string, flags: Flags, name: string): boolean | undefined {
  const all = flags.values.get(name);
  if (!all) return undefined;
  if (all.length > 1) p.fail(at.line, instruction, `duplicate flag specified: --${name}`);
  const v = all[0] as FlagValue;
  if (v === '') p.fail(at.line, instruction, `missing a value on flag: --${name}`);
  if (v === true || v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  return p.fail(at.line, instruction, `expecting boolean value for flag --${name}, not: ${v}`);
}

function listFlag(p: Parser, at: Logical, instruction: string, flags: Flags, name: string): string[] {
  return (flags.values.get(name) ?? []).map((v) => (v === true ? p.fail(at.line, instruction, `missing a value on flag: --${name}`) : v));
}

/**
 * buildkit's parseJSON: a JSON array of strings is the exec form; an array
 * with anything else is an error; text that is not JSON is not an error
 * (undefined: the caller falls back to the shell form).
 */
function parseJSON(p: Parser, at: Logical, instruction: string, text: string): string[] | undefined {
  const t = text.replace(LEADING_SPACE, '');
  if (!t.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((a) => typeof a === 'string')) p.fail(at.line, instruction, 'when using JSON array syntax, arrays must be comprised of strings only');
  return parsed as string[];
}

/** buildkit's parseMaybeJSON (RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD): `CMD ["a", 'b']` is the shell form. */
function parseCommand(p: Parser, at: Logical, instruction: string, text: string): CommandForm {
  const args = parseJSON(p, at, instruction, text);
  return args ? { form: 'exec', args } : { form: 'shell', text };
}

/** buildkit's parseMaybeJSONToList (COPY, ADD, VOLUME). */
function parseList(p: Parser, at: Logical, instruction: string, text: string): { args: string[]; json: boolean } {
  const args = parseJSON(p, at, instruction, text);
  return args ? { args, json: true } : { args: splitBlanks(text), json: false };
}

function parseMount(p: Parser, at: Logical, spec: string): Mount {
  const options: Record<string, string> = {};
  for (const field of spec.split(',')) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    options[key] = eq < 0 ? 'true' : unquote(field.slice(eq + 1));
  }
  const type = options.type ?? 'bind';
  if (!MOUNT_TYPES.has(type)) p.fail(at.line, 'RUN', `--mount: unknown mount type "${type}" (bind, cache, tmpfs, secret or ssh)`);
  options.type = type;
  return { type: type as Mount['type'], options };
}

function unquote(word: string): string {
  return word.replace(/^(["'])(.*)\1$/s, '$2');
}

/**
 * A key as buildkit's expander sees it with no variables: quotes and escapes
 * processed, $VAR kept. A key the lexer refuses (`"A`) stays raw: buildkit
 * fails on it only when it substitutes, and so will the builder on rawKey.
 */
function processKey(escape: string, raw: string): string {
  try {
    return shellLex(raw, () => undefined, { escape, skipUnsetEnv: true }).result;
  } catch (err) {
    if (err instanceof SubstitutionError) return raw;
    throw err;
  }
}

/** buildkit's parseNameVal: NAME=VALUE pairs, or the legacy NAME VALUE form (one pair, the value is the rest of the line). */
function parseKeyValues(p: Parser, at: Logical, instruction: string, text: string): KeyValue[] {
  const words = splitRaw(text, p.directives.escape);
  if (words.length === 0) p.fail(at.line, instruction, 'requires at least one argument');
  const pair = (rawKey: string, value: string): KeyValue => {
    if (rawKey === '') p.fail(at.line, instruction, 'names can not be blank');
    return { key: processKey(p.directives.escape, rawKey), rawKey, value };
  };
  if (!(words[0] as string).includes('=')) {
    const parts = text.split(BLANKS);
    if (parts.length < 2) p.fail(at.line, instruction, 'must have two arguments');
    const key = parts[0] as string;
    return [pair(key, text.slice(key.length).replace(BLANKS_START, ''))];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) p.fail(at.line, instruction, `Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return pair(w.slice(0, eq), w.slice(eq + 1));
  });
}

const BLANKS_START = /^[\t\v\f\r ]+/;

function requireArgs(p: Parser, at: Logical, instruction: string, rest: string): void {
  if (!rest) p.fail(at.line, instruction, 'requires at least one argument');
}

function single(p: Parser, at: Logical, instruction: string, rest: string): string {
  if (!rest) p.fail(at.line, instruction, 'requires exactly one argument');
  return rest;
}

/** One instruction from its logical line (heredoc bodies are read from p when the line opens any). */
function parseInstruction(p: Parser, at: Logical, text: string, inOnbuild: boolean): Instruction {
  // buildkit's splitCommand: the instruction word, then flags (any instruction), then the arguments.
  const [command, after] = splitFirst(goTrim(text));
  const word = command.toUpperCase();
  if (!INSTRUCTIONS.has(word)) p.fail(at.line, word, `unknown instruction: ${command}`);
  const { words: flagWords, rest } = parseFlags(p, after);
  const flagsFor = (allowed: readonly string[]): Flags => ({ values: checkFlags(p, at, word, flagWords, allowed), rest });
  const base = { line: at.line, endLine: at.endLine };
  /** RUN, COPY and ADD (not in the JSON form) open heredocs when the line has `<<`. */
  const heredocs = (json: boolean): Heredoc[] => {
    if (json || !HEREDOC_INSTRUCTIONS.has(word) || !text.includes('<<')) return [];
    const markers = heredocMarkers(text);
    if (markers.length === 0) return [];
    const docs = p.readHeredocs(at, word, markers);
    base.endLine = at.endLine;
    return docs;
  };
  switch (word) {
    case 'FROM': {
      const flags = flagsFor(['platform']);
      const platform = stringFlag(p, at, word, flags, 'platform');
      const args = splitBlanks(rest);
      if (args.length !== 1 && !(args.length === 3 && (args[1] as string).toUpperCase() === 'AS')) p.fail(at.line, word, 'FROM requires either one or three arguments');
      const name = args[2]?.toLowerCase();
      if (name !== undefined && !STAGE_NAME.test(name)) p.fail(at.line, word, `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`);
      return { kind: 'FROM', ...base, image: args[0] as string, ...(platform !== undefined ? { platform } : {}), ...(name !== undefined ? { name } : {}) };
    }
    case 'RUN': {
      const flags = flagsFor(['mount', 'network', 'security']);
      const mounts = listFlag(p, at, word, flags, 'mount').map((s) => parseMount(p, at, s));
      const network = stringFlag(p, at, word, flags, 'network');
      if (network !== undefined && !['default', 'none', 'host'].includes(network)) p.fail(at.line, word, `--network: unsupported value "${network}" (default, none or host)`);
      const security = stringFlag(p, at, word, flags, 'security');
      if (security !== undefined && !['sandbox', 'insecure'].includes(security)) p.fail(at.line, word, `--security: unsupported value "${security}" (sandbox or insecure)`);
      requireArgs(p, at, word, rest);
      const command = parseCommand(p, at, word, rest);
      const docs = heredocs(command.form === 'exec');
      return { kind: 'RUN', ...base, command, mounts, ...(network ? { network } : {}), ...(security ? { security } : {}), heredocs: docs };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      flagsFor([]);
      requireArgs(p, at, word, rest);
      return { kind: word, ...base, command: parseCommand(p, at, word, rest) };
    case 'SHELL': {
      flagsFor([]);
      requireArgs(p, at, word, rest);
      const command = parseCommand(p, at, word, rest);
      if (command.form !== 'exec') p.fail(at.line, word, `SHELL requires the arguments to be in JSON form: SHELL ["executable", "parameters"]`);
      if (command.args.length === 0) p.fail(at.line, word, 'requires at least one argument');
      return { kind: 'SHELL', ...base, shell: command.args };
    }
    case 'LABEL':
      flagsFor([]);
      return { kind: 'LABEL', ...base, labels: parseKeyValues(p, at, word, rest) };
    case 'ENV':
      flagsFor([]);
      return { kind: 'ENV', ...base, env: parseKeyValues(p, at, word, rest) };
    case 'MAINTAINER':
      flagsFor([]);
      return { kind: 'MAINTAINER', ...base, maintainer: single(p, at, word, rest) };
    case 'EXPOSE':
      flagsFor([]);
      requireArgs(p, at, word, rest);
      return { kind: 'EXPOSE', ...base, ports: splitBlanks(rest) };
    case 'COPY':
    case 'ADD': {
      const copyFlags = ['chown', 'chmod', 'link', 'exclude'];
      const flags = flagsFor(word === 'COPY' ? [...copyFlags, 'from', 'parents'] : [...copyFlags, 'checksum', 'keep-git-dir', 'unpack']);
      const { args, json } = parseList(p, at, word, rest);
      if (args.length < 2) p.fail(at.line, word, `requires at least two arguments, but got ${args.length} (${word} SOURCE... DEST)`);
      const dest = args[args.length - 1] as string;
      if (heredocMarker(dest)) p.fail(at.line, word, `${word} cannot accept a heredoc as a destination`);
      const docs = heredocs(json);
      const chown = stringFlag(p, at, word, flags, 'chown');
      const chmod = stringFlag(p, at, word, flags, 'chmod');
      const common = {
        ...base,
        ...(chown !== undefined ? { chown } : {}),
        ...(chmod !== undefined ? { chmod } : {}),
        link: boolFlag(p, at, word, flags, 'link') ?? false,
        exclude: listFlag(p, at, word, flags, 'exclude'),
        sources: args.slice(0, -1),
        dest,
        heredocs: docs,
      };
      if (word === 'COPY') {
        const from = stringFlag(p, at, word, flags, 'from');
        return { kind: 'COPY', ...common, ...(from !== undefined ? { from } : {}), parents: boolFlag(p, at, word, flags, 'parents') ?? false };
      }
      const checksum = stringFlag(p, at, word, flags, 'checksum');
      const unpack = boolFlag(p, at, word, flags, 'unpack');
      return { kind: 'ADD', ...common, ...(checksum !== undefined ? { checksum } : {}), keepGitDir: boolFlag(p, at, word, flags, 'keep-git-dir') ?? false, ...(unpack !== undefined ? { unpack } : {}) };
    }
    case 'VOLUME': {
      flagsFor([]);
      requireArgs(p, at, word, rest);
      const paths = parseList(p, at, word, rest).args.map((x) => goTrim(x));
      if (paths.length === 0) p.fail(at.line, word, 'requires at least one argument');
      if (paths.some((x) => x === '')) p.fail(at.line, word, 'VOLUME specified can not be an empty string');
      return { kind: 'VOLUME', ...base, paths };
    }
    case 'USER':
      flagsFor([]);
      return { kind: 'USER', ...base, user: single(p, at, word, rest) };
    case 'WORKDIR':
      flagsFor([]);
      return { kind: 'WORKDIR', ...base, path: single(p, at, word, rest) };
    case 'STOPSIGNAL':
      flagsFor([]);
      return { kind: 'STOPSIGNAL', ...base, signal: single(p, at, word, rest) };
    case 'ARG': {
      flagsFor([]);
      requireArgs(p, at, word, rest);
      const args = splitRaw(rest, p.directives.escape).map((w) => {
        const eq = w.indexOf('=');
        const raw = eq < 0 ? w : w.slice(0, eq);
        if (raw === '') p.fail(at.line, word, 'names can not be blank');
        const name = processKey(p.directives.escape, raw);
        return eq < 0 ? { name } : { name, default: w.slice(eq + 1) };
      });
      return { kind: 'ARG', ...base, args };
    }
    case 'ONBUILD': {
      if (inOnbuild) p.fail(at.line, word, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      flagsFor([]);
      requireArgs(p, at, word, rest);
      const trigger = rest.split(BLANKS, 1)[0]?.toUpperCase() ?? '';
      if (trigger === 'ONBUILD') p.fail(at.line, word, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER') p.fail(at.line, word, `${trigger} isn't allowed as an ONBUILD trigger`);
      const inner = parseInstruction(p, at, rest, true);
      base.endLine = at.endLine;
      // As buildkit's Expression: the trigger line, then each heredoc's contents and terminator.
      const docs = 'heredocs' in inner ? inner.heredocs : [];
      const expression = docs.reduce((e, d) => `${e}\n${d.content}${d.name}`, rest);
      return { kind: 'ONBUILD', ...base, trigger: inner, expression };
    }
    case 'HEALTHCHECK': {
      requireArgs(p, at, word, rest);
      const sep = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest);
      const type = sep?.[1]?.toUpperCase();
      if (type === 'NONE') {
        if (sep?.[2]) p.fail(at.line, word, 'HEALTHCHECK NONE takes no arguments');
        return { kind: 'HEALTHCHECK', ...base };
      }
      const flags = flagsFor(['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
      if (type !== 'CMD') p.fail(at.line, word, `Unknown type "${sep?.[1] ?? ''}" in HEALTHCHECK (try CMD)`);
      const cmd = sep?.[2] ?? '';
      const command = parseCommand(p, at, word, cmd);
      if (command.form === 'shell' ? command.text === '' : command.args.length === 0) p.fail(at.line, word, 'Missing command after HEALTHCHECK CMD');
      const out: HealthcheckInstr = { kind: 'HEALTHCHECK', ...base, command };
      const set = (flag: string, key: 'interval' | 'timeout' | 'startPeriod' | 'startInterval' | 'retries') => {
        const v = stringFlag(p, at, word, flags, flag);
        if (v === undefined) return;
        if (key === 'retries' ? !/^[+-]?\d+$/.test(v) || Number(v) < 0 : !/^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^[+-]?0$/.test(v)) p.fail(at.line, word, `--${flag}: invalid value "${v}"`);
        out[key] = v;
      };
      set('interval', 'interval');
      set('timeout', 'timeout');
      set('start-period', 'startPeriod');
      set('start-interval', 'startInterval');
      set('retries', 'retries');
      return out;
    }
  }
  return p.fail(at.line, word, `unknown instruction: ${word}`);
}

/** The first word and the rest, split at the first run of blanks (buildkit's reWhitespace). */
function splitFirst(s: string): [string, string] {
  const m = BLANKS.exec(s);
  return m ? [s.slice(0, m.index), s.slice(m.index + m[0].length)] : [s, ''];
}

/** Parses a Dockerfile's text. Throws DockerfileError (exit 125) with `FILE:LINE: INSTRUCTION: what`. */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const p = new Parser(text, file);
  p.readDirectives();
  const stages: Stage[] = [];
  const globalArgs: ArgInstr[] = [];
  const names = new Set<string>();
  let lastLine = 1;
  for (let at = p.next(); at !== undefined; at = p.next()) {
    const instr = parseInstruction(p, at, at.text, false);
    lastLine = instr.endLine;
    if (instr.kind === 'FROM') {
      if (instr.name !== undefined) {
        if (names.has(instr.name)) p.fail(instr.line, 'FROM', `duplicate stage name "${instr.name}"`);
        names.add(instr.name);
      }
      stages.push({
        ...(instr.name !== undefined ? { name: instr.name } : {}),
        index: stages.length,
        from: { image: instr.image, ...(instr.platform !== undefined ? { platform: instr.platform } : {}) },
        instructions: [instr],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage) stage.instructions.push(instr);
    else if (instr.kind === 'ARG') globalArgs.push(instr);
    else p.fail(instr.line, instr.kind, 'no FROM before it: only ARG may come before the first FROM');
  }
  if (stages.length === 0) p.fail(lastLine, 'FROM', 'no FROM instruction: a Dockerfile needs at least one stage');
  return { directives: p.directives, stages, globalArgs };
}
