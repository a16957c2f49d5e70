// The Dockerfile language front end: text in, a typed syntax tree out
// (stages of instructions, flags parsed, shell or exec form, heredocs), or a
// DockerfileError naming the file, the line and the instruction. No
// substitution happens here: values are kept raw (quotes included, as
// buildkit keeps them) for substitute.ts to process at build time.

import { UsageError } from '../core/errors.js';

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
  /** The lines between the marker and the terminator, each ending in a newline (tabs stripped for <<-). */
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
  key: string;
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
const DIRECTIVE = /^#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;
const MOUNT_TYPES = new Set(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;

/** A logical line: an instruction with its continuations joined, and the heredocs that follow it. */
interface Logical {
  line: number;
  endLine: number;
  text: string;
}

class Parser {
  private readonly lines: string[];
  private pos = 0;
  readonly directives: Directives = { escape: '\\' };

  constructor(
    text: string,
    readonly file: string,
  ) {
    this.lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  fail(line: number, instruction: string, what: string): never {
    throw new DockerfileError(this.file, line, instruction, what);
  }

  /** `# name=value` lines at the very top; the first other line (blank lines included) ends them. */
  readDirectives(): void {
    const seen = new Set<string>();
    while (this.pos < this.lines.length) {
      const m = DIRECTIVE.exec(this.lines[this.pos] as string);
      if (!m) return;
      const name = (m[1] as string).toLowerCase();
      const value = m[2] as string;
      const line = this.pos + 1;
      this.pos++;
      if (name !== 'syntax' && name !== 'escape' && name !== 'check') continue;
      if (seen.has(name)) this.fail(line, name, `only one ${name} parser directive can be used`);
      seen.add(name);
      if (name === 'escape') {
        if (value !== '\\' && value !== '`') this.fail(line, 'escape', `invalid escape token '${value}': must be \\ or \``);
        this.directives.escape = value;
      } else this.directives[name] = value;
    }
  }

  private isContinued(s: string): string | undefined {
    const trimmed = s.replace(/[ \t]+$/, '');
    return trimmed.endsWith(this.directives.escape) ? trimmed.slice(0, -1) : undefined;
  }

  /** The next instruction line, continuations joined (comment and empty lines inside skipped), or undefined at the end. */
  next(): Logical | undefined {
    while (this.pos < this.lines.length) {
      const trimmed = (this.lines[this.pos] as string).trim();
      if (trimmed === '' || trimmed.startsWith('#')) this.pos++;
      else break;
    }
    if (this.pos >= this.lines.length) return undefined;
    const line = this.pos + 1;
    let text = '';
    let current = (this.lines[this.pos] as string).replace(/^[ \t]+/, '');
    this.pos++;
    for (;;) {
      const stripped = this.isContinued(current);
      if (stripped === undefined) {
        text += current;
        break;
      }
      text += stripped;
      // Skip comments and empty lines within the continuation.
      while (this.pos < this.lines.length) {
        const t = (this.lines[this.pos] as string).trim();
        if (t === '' || t.startsWith('#')) this.pos++;
        else break;
      }
      if (this.pos >= this.lines.length) break;
      current = this.lines[this.pos] as string;
      this.pos++;
    }
    return { line, endLine: this.pos, text: text.trim() };
  }

  /** Reads the bodies of the heredocs a line opened, in order, from the lines after it. */
  readHeredocs(logical: Logical, instruction: string, markers: HeredocMarker[]): Heredoc[] {
    const docs: Heredoc[] = [];
    for (const m of markers) {
      let content = '';
      for (;;) {
        if (this.pos >= this.lines.length) this.fail(logical.line, instruction, `unterminated heredoc ${m.name}: no line "${m.name}" ends it`);
        let l = this.lines[this.pos] as string;
        this.pos++;
        if (m.chomp) l = l.replace(/^\t+/, '');
        if (l === m.name) break;
        content += l + '\n';
      }
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

/** Splits on blanks outside quotes; quotes and escapes stay in the words. */
export function splitRaw(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      word += ch;
      if (ch === escape && quote === '"' && i + 1 < text.length) word += text[++i];
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (word) words.push(word);
      word = '';
      continue;
    }
    word += ch;
    if (ch === escape && i + 1 < text.length) word += text[++i];
    else if (ch === '"' || ch === "'") quote = ch;
  }
  if (word) words.push(word);
  return words;
}

function unquote(word: string): string {
  return word.replace(/^(["'])(.*)\1$/s, '$2').replace(/["']/g, '');
}

function heredocMarkers(text: string, escape: string): HeredocMarker[] {
  const out: HeredocMarker[] = [];
  for (const word of splitRaw(text, escape)) {
    const m = /^(\d*)<<(-?)([^<]+)$/.exec(word);
    if (!m) continue;
    const rest = m[3] as string;
    const name = unquote(rest);
    if (!name) continue;
    out.push({ name, expand: !/["']/.test(rest), chomp: m[2] === '-', ...(m[1] ? { fd: Number(m[1]) } : {}) });
  }
  return out;
}

type FlagValue = string | true;

interface Flags {
  values: Map<string, FlagValue[]>;
  rest: string;
}

/** Leading --name[=value] words; fails on a name the instruction does not take. */
function parseFlags(p: Parser, at: Logical, instruction: string, text: string, allowed: readonly string[]): Flags {
  const values = new Map<string, FlagValue[]>();
  let rest = text;
  for (;;) {
    const m = /^--([A-Za-z0-9-]*)(=(?:"[^"]*"|'[^']*'|\S)*)?(?:[ \t]+|$)/.exec(rest);
    if (!m) break;
    const name = m[1] as string;
    if (name === '') {
      rest = rest.slice(m[0].length);
      break;
    }
    if (!allowed.includes(name)) p.fail(at.line, instruction, `unknown flag: --${name}`);
    const value: FlagValue = m[2] === undefined ? true : unquote(m[2].slice(1));
    values.set(name, [...(values.get(name) ?? []), value]);
    rest = rest.slice(m[0].length);
  }
  return { values, rest: rest.trim() };
}

function stringFlag(p: Parser, at: Logical, instruction: string, flags: Flags, name: string): string | undefined {
  const all = flags.values.get(name);
  if (!all) return undefined;
  const v = all[all.length - 1];
  if (v === true || v === '') p.fail(at.line, instruction, `--${name} needs a value (--${name}=VALUE)`);
  if (all.length > 1) p.fail(at.line, instruction, `--${name} given more than once`);
  return v;
}

function boolFlag(p: Parser, at: Logical, instruction: string, flags: Flags, name: string): boolean | undefined {
  const all = flags.values.get(name);
  if (!all) return undefined;
  const v = all[all.length - 1];
  if (v === true || v === 'true') return true;
  if (v === 'false') return false;
  return p.fail(at.line, instruction, `--${name}: expecting true or false, got "${v}"`);
}

function listFlag(p: Parser, at: Logical, instruction: string, flags: Flags, name: string): string[] {
  return (flags.values.get(name) ?? []).map((v) => (v === true ? p.fail(at.line, instruction, `--${name} needs a value`) : v));
}

/** Exec form when the arguments are a JSON array of strings. `[ -f x ]` (no quote after the bracket) stays shell form. */
function parseCommand(p: Parser, at: Logical, instruction: string, text: string): CommandForm {
  if (/^\[\s*("|\])/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return p.fail(at.line, instruction, `exec form is not a valid JSON array of strings: ${text}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) p.fail(at.line, instruction, `exec form must be a JSON array of strings: ${text}`);
    return { form: 'exec', args: parsed as string[] };
  }
  return { form: 'shell', text };
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

/** NAME=VALUE pairs, or the legacy NAME VALUE form (one pair, the value is the rest of the line). */
function parseKeyValues(p: Parser, at: Logical, instruction: string, text: string): KeyValue[] {
  const escape = p.directives.escape;
  const words = splitRaw(text, escape);
  if (words.length === 0) p.fail(at.line, instruction, 'requires at least one argument');
  const first = words[0] as string;
  if (!first.includes('=')) {
    const value = text.slice(text.indexOf(first) + first.length).trim();
    if (!value) p.fail(at.line, instruction, `must have two arguments (${instruction} NAME VALUE or ${instruction} NAME=VALUE)`);
    return [{ key: unquote(first), value }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) p.fail(at.line, instruction, `syntax error: can't find = in "${w}" (must be of the form NAME=VALUE)`);
    return { key: unquote(w.slice(0, eq)), value: w.slice(eq + 1) };
  });
}

function requireArgs(p: Parser, at: Logical, instruction: string, rest: string): void {
  if (!rest) p.fail(at.line, instruction, 'requires at least one argument');
}

function single(p: Parser, at: Logical, instruction: string, rest: string): string {
  requireArgs(p, at, instruction, rest);
  return rest;
}

/** One instruction from its logical line (heredoc bodies are read from p when the line opens any). */
function parseInstruction(p: Parser, at: Logical, text: string, inOnbuild: boolean): Instruction {
  const m = /^(\S+)(?:[ \t]+([\s\S]*))?$/.exec(text);
  const word = (m?.[1] ?? text).toUpperCase();
  const rest = (m?.[2] ?? '').trim();
  if (!INSTRUCTIONS.has(word)) p.fail(at.line, word, `unknown instruction: ${m?.[1] ?? text}`);
  const base = { line: at.line, endLine: at.endLine };
  const heredocs = (): Heredoc[] => {
    if (!HEREDOC_INSTRUCTIONS.has(word)) return [];
    const markers = heredocMarkers(rest, p.directives.escape);
    if (markers.length === 0) return [];
    const docs = p.readHeredocs(at, word, markers);
    base.endLine = at.endLine;
    return docs;
  };
  switch (word) {
    case 'FROM': {
      const flags = parseFlags(p, at, word, rest, ['platform']);
      const platform = stringFlag(p, at, word, flags, 'platform');
      const args = splitRaw(flags.rest, p.directives.escape);
      if (args.length !== 1 && !(args.length === 3 && (args[1] as string).toUpperCase() === 'AS')) {
        p.fail(at.line, word, args.length === 0 ? 'requires an image (FROM IMAGE [AS NAME])' : `expected FROM IMAGE [AS NAME], got ${args.length} arguments`);
      }
      const name = args[2]?.toLowerCase();
      if (name !== undefined && !STAGE_NAME.test(name)) p.fail(at.line, word, `invalid stage name "${args[2]}": it must start with a letter and have only letters, digits, '-', '_' and '.'`);
      return { kind: 'FROM', ...base, image: args[0] as string, ...(platform !== undefined ? { platform } : {}), ...(name !== undefined ? { name } : {}) };
    }
    case 'RUN': {
      const flags = parseFlags(p, at, word, rest, ['mount', 'network', 'security']);
      const mounts = listFlag(p, at, word, flags, 'mount').map((s) => parseMount(p, at, s));
      const network = stringFlag(p, at, word, flags, 'network');
      if (network !== undefined && !['default', 'none', 'host'].includes(network)) p.fail(at.line, word, `--network: unsupported value "${network}" (default, none or host)`);
      const security = stringFlag(p, at, word, flags, 'security');
      if (security !== undefined && !['sandbox', 'insecure'].includes(security)) p.fail(at.line, word, `--security: unsupported value "${security}" (sandbox or insecure)`);
      const docs = heredocs();
      if (!flags.rest) p.fail(at.line, word, 'requires at least one argument');
      const command: CommandForm = docs.length > 0 ? { form: 'shell', text: flags.rest } : parseCommand(p, at, word, flags.rest);
      return { kind: 'RUN', ...base, command, mounts, ...(network ? { network } : {}), ...(security ? { security } : {}), heredocs: docs };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      requireArgs(p, at, word, rest);
      return { kind: word, ...base, command: parseCommand(p, at, word, rest) };
    case 'SHELL': {
      requireArgs(p, at, word, rest);
      const command = parseCommand(p, at, word, rest);
      if (command.form !== 'exec' || command.args.length === 0) p.fail(at.line, word, 'requires the exec form, a JSON array: SHELL ["executable", "parameters"]');
      return { kind: 'SHELL', ...base, shell: command.args };
    }
    case 'LABEL':
      return { kind: 'LABEL', ...base, labels: parseKeyValues(p, at, word, rest) };
    case 'ENV':
      return { kind: 'ENV', ...base, env: parseKeyValues(p, at, word, rest) };
    case 'MAINTAINER':
      return { kind: 'MAINTAINER', ...base, maintainer: single(p, at, word, rest) };
    case 'EXPOSE':
      requireArgs(p, at, word, rest);
      return { kind: 'EXPOSE', ...base, ports: splitRaw(rest, p.directives.escape) };
    case 'COPY':
    case 'ADD': {
      const copyFlags = ['chown', 'chmod', 'link', 'exclude'];
      const flags = parseFlags(p, at, word, rest, word === 'COPY' ? [...copyFlags, 'from', 'parents'] : [...copyFlags, 'checksum', 'keep-git-dir', 'unpack']);
      const docs = heredocs();
      let args: string[];
      const exec = /^\[\s*"/.test(flags.rest) ? parseCommand(p, at, word, flags.rest) : undefined;
      if (exec?.form === 'exec') args = exec.args;
      else args = splitRaw(flags.rest, p.directives.escape);
      if (args.length < 2) p.fail(at.line, word, `requires at least two arguments, but got ${args.length} (${word} SOURCE... DEST)`);
      const chown = stringFlag(p, at, word, flags, 'chown');
      const chmod = stringFlag(p, at, word, flags, 'chmod');
      const common = {
        ...base,
        ...(chown !== undefined ? { chown } : {}),
        ...(chmod !== undefined ? { chmod } : {}),
        link: boolFlag(p, at, word, flags, 'link') ?? false,
        exclude: listFlag(p, at, word, flags, 'exclude'),
        sources: args.slice(0, -1),
        dest: args[args.length - 1] as string,
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
      requireArgs(p, at, word, rest);
      const command = parseCommand(p, at, word, rest);
      const paths = command.form === 'exec' ? command.args : splitRaw(rest, p.directives.escape);
      if (paths.length === 0 || paths.some((x) => x.trim() === '')) p.fail(at.line, word, 'a volume path cannot be empty');
      return { kind: 'VOLUME', ...base, paths };
    }
    case 'USER':
      return { kind: 'USER', ...base, user: single(p, at, word, rest) };
    case 'WORKDIR':
      return { kind: 'WORKDIR', ...base, path: single(p, at, word, rest) };
    case 'STOPSIGNAL':
      return { kind: 'STOPSIGNAL', ...base, signal: single(p, at, word, rest) };
    case 'ARG': {
      requireArgs(p, at, word, rest);
      const args = splitRaw(rest, p.directives.escape).map((w) => {
        const eq = w.indexOf('=');
        const name = eq < 0 ? w : w.slice(0, eq);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) p.fail(at.line, word, `invalid name "${name}"`);
        return eq < 0 ? { name } : { name, default: w.slice(eq + 1) };
      });
      return { kind: 'ARG', ...base, args };
    }
    case 'ONBUILD': {
      if (inOnbuild) p.fail(at.line, word, 'chaining ONBUILD via `ONBUILD ONBUILD` is not allowed');
      requireArgs(p, at, word, rest);
      const trigger = /^\S+/.exec(rest)?.[0]?.toUpperCase() ?? '';
      if (trigger === 'ONBUILD') p.fail(at.line, word, 'chaining ONBUILD via `ONBUILD ONBUILD` is not allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER') p.fail(at.line, word, `${trigger} is not allowed as an ONBUILD trigger`);
      const inner = parseInstruction(p, at, rest, true);
      base.endLine = at.endLine;
      return { kind: 'ONBUILD', ...base, trigger: inner, expression: rest };
    }
    case 'HEALTHCHECK': {
      const flags = parseFlags(p, at, word, rest, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
      const sub = /^(\S+)(?:[ \t]+([\s\S]*))?$/.exec(flags.rest);
      const type = sub?.[1]?.toUpperCase();
      if (type === 'NONE') {
        if (sub?.[2] || flags.values.size > 0) p.fail(at.line, word, 'HEALTHCHECK NONE takes no other arguments');
        return { kind: 'HEALTHCHECK', ...base };
      }
      if (type !== 'CMD') p.fail(at.line, word, `unknown type "${sub?.[1] ?? ''}" (HEALTHCHECK [OPTIONS] CMD command, or HEALTHCHECK NONE)`);
      const cmd = (sub?.[2] ?? '').trim();
      if (!cmd) p.fail(at.line, word, 'CMD requires a command');
      const out: HealthcheckInstr = { kind: 'HEALTHCHECK', ...base, command: parseCommand(p, at, word, cmd) };
      const set = (flag: string, key: 'interval' | 'timeout' | 'startPeriod' | 'startInterval' | 'retries') => {
        const v = stringFlag(p, at, word, flags, flag);
        if (v === undefined) return;
        if (key === 'retries' ? !/^\d+$/.test(v) : !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(v)) p.fail(at.line, word, `--${flag}: invalid value "${v}"`);
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
