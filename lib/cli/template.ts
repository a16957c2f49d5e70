// Go's text/template (https://pkg.go.dev/text/template) for --format: the
// language docker and podman users write, parsed once into a tree and then
// executed per value, with docker's extra functions (json, join, split, lower,
// upper, title, truncate, pad).
//
// Values are plain JSON-like data. An object stands for a Go struct, where a
// missing field is an error, unless it is a map (Labels and the like, or keys
// that cannot be Go field names), where a missing key prints "<no value>".
// Arrays are slices, undefined is Go's invalid value, null is nil.
import { UsageError } from '../core/errors.js';

// ---------------------------------------------------------------- the tree

/** An operand of a command. `text` is its source, for error messages. */
export type Arg = { pos: number; text: string } & (
  | { kind: 'field'; names: string[] } // .A.B
  | { kind: 'variable'; name: string; names: string[] } // $x.A.B
  | { kind: 'chain'; node: Arg; names: string[] } // (pipeline).A.B
  | { kind: 'function'; name: string }
  | { kind: 'dot' }
  | { kind: 'nil' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'pipe'; pipe: Pipe }
);

export interface Command {
  pos: number;
  text: string;
  args: Arg[];
}

export interface Pipe {
  pos: number;
  /** Variables declared ($x := ...) or assigned ($x = ...) by the pipeline. */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

/** {{if}}, {{with}} or {{range}}: `list` when the pipeline is true (or not empty), else `elseList`. */
export interface ControlNode {
  kind: 'if' | 'with' | 'range';
  pos: number;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pos: number; pipe: Pipe }
  | ControlNode
  | { kind: 'break' | 'continue'; pos: number };

export interface ParseOptions {
  /** `\t` and `\n` typed in the text (as users do in shells) mean a tab and a newline. */
  unescapeText?: boolean;
}

export function parse(source: string, options: ParseOptions = {}): Template {
  const tokens = new Lexer(source, options.unescapeText ?? false).run();
  return new Template(source, new Parser(source, tokens).parse());
}

export class Template {
  constructor(
    readonly source: string,
    readonly root: readonly Node[],
  ) {}

  /** The text for one value (the dot and $); errors are UsageErrors. */
  execute(data: unknown): string {
    return new Execution(this.source, data).run(this.root);
  }
}

// ---------------------------------------------------------------- lexer

type TokenType =
  | 'text' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'dot' | 'identifier' | 'keyword'
  | 'bool' | 'nil' | 'number' | 'charConstant' | 'string' | 'rawString' | 'char'
  | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'error' | 'eof';

interface Token {
  type: TokenType;
  value: string;
  pos: number;
  end: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

/** Go's %#U: U+0041 'A'. */
function describeRune(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrintable(c) ? `${code} '${c}'` : code;
}

class Lexer {
  private readonly tokens: Token[] = [];
  private pos = 0;
  private parenDepth = 0;

  constructor(
    private readonly src: string,
    private readonly unescapeText: boolean,
  ) {}

  /** All tokens, ending with eof, or with an error token where lexing stopped. */
  run(): Token[] {
    let trimLeading = false;
    for (;;) {
      const open = this.src.indexOf('{{', this.pos);
      const end = open < 0 ? this.src.length : open;
      const trimTrailing = open >= 0 && this.src[open + 2] === '-' && isSpace(this.src[open + 3]);
      this.text(end, trimLeading, trimTrailing);
      if (open < 0) break;
      this.pos = open + 2 + (trimTrailing ? 2 : 0);
      const trim = this.src.startsWith('/*', this.pos) ? this.comment(open) : this.action(open);
      if (trim === undefined) return this.tokens;
      trimLeading = trim;
    }
    this.emit('eof', this.pos);
    return this.tokens;
  }

  private text(end: number, trimLeading: boolean, trimTrailing: boolean): void {
    let text = this.src.slice(this.pos, end);
    if (this.unescapeText) text = text.replace(/\\([tn])/g, (_, c: string) => (c === 't' ? '\t' : '\n'));
    if (trimLeading) text = text.replace(/^[ \t\r\n]+/, '');
    if (trimTrailing) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) this.tokens.push({ type: 'text', value: text, pos: this.pos, end });
    this.pos = end;
  }

  /** Skips {{/* ... *\/}}; returns whether it trims the text after it. */
  private comment(open: number): boolean | undefined {
    const close = this.src.indexOf('*/', this.pos + 2);
    if (close < 0) return void this.fail('unclosed comment', open);
    this.pos = close + 2;
    const delim = this.atRightDelim();
    if (!delim) return void this.fail('comment ends before closing delimiter', open);
    this.pos += delim.length;
    return delim.trim;
  }

  private action(open: number): boolean | undefined {
    this.emit('left', open);
    this.parenDepth = 0;
    for (;;) {
      const delim = this.atRightDelim();
      if (delim) {
        if (this.parenDepth) return void this.fail('unclosed left paren', this.pos);
        this.pos += delim.length;
        this.emit('right', this.pos - delim.length);
        return delim.trim;
      }
      if (!this.insideAction()) return undefined;
    }
  }

  private atRightDelim(): { length: number; trim: boolean } | undefined {
    const p = this.pos;
    if (isSpace(this.src[p]) && this.src[p + 1] === '-' && this.src.startsWith('}}', p + 2)) return { length: 4, trim: true };
    if (this.src.startsWith('}}', p)) return { length: 2, trim: false };
    return undefined;
  }

  /** Lexes one token inside an action; false after an error. */
  private insideAction(): boolean {
    const start = this.pos;
    const c = this.src[start];
    if (c === undefined) return this.fail('unclosed action', start);
    if (isSpace(c)) return this.space();
    this.pos++;
    switch (c) {
      case '=': return this.emit('assign', start);
      case ':':
        if (this.src[this.pos] !== '=') return this.fail('expected :=', start);
        this.pos++;
        return this.emit('declare', start);
      case '|': return this.emit('pipe', start);
      case '"': return this.quoted(start, '"', 'string', 'unterminated quoted string');
      case "'": return this.quoted(start, "'", 'charConstant', 'unterminated character constant');
      case '`': return this.rawQuoted(start);
      case '$': return this.fieldOrVariable(start, 'variable');
      case '(':
        this.parenDepth++;
        return this.emit('leftParen', start);
      case ')':
        this.emit('rightParen', start);
        return --this.parenDepth < 0 ? this.fail('unexpected right paren', start) : true;
    }
    if (c === '.' && !isDigit(this.src[this.pos])) return this.fieldOrVariable(start, 'field');
    this.pos = start;
    if (c === '.' || c === '+' || c === '-' || isDigit(c)) return this.number(start);
    if (isAlphaNumeric(c)) return this.identifier(start);
    this.pos++;
    if (c >= ' ' && c <= '~') return this.emit('char', start);
    return this.fail(`unrecognized character in action: ${describeRune(c)}`, start);
  }

  private space(): boolean {
    const start = this.pos;
    let p = start;
    while (isSpace(this.src[p])) p++;
    // The space before "-}}" belongs to the trim marker.
    if (this.src[p] === '-' && this.src.startsWith('}}', p + 1)) p--;
    this.pos = p;
    if (p > start) this.emit('space', start);
    return true;
  }

  private atTerminator(): boolean {
    const c = this.src[this.pos];
    return c === undefined || isSpace(c) || '.,|:()'.includes(c) || this.src.startsWith('}}', this.pos);
  }

  private fieldOrVariable(start: number, type: 'field' | 'variable'): boolean {
    while (isAlphaNumeric(this.src[this.pos])) this.pos++;
    if (!this.atTerminator()) return this.fail(`bad character ${describeRune(this.src[this.pos]!)}`, this.pos);
    return this.emit(type === 'field' && this.pos === start + 1 ? 'dot' : type, start);
  }

  private identifier(start: number): boolean {
    while (isAlphaNumeric(this.src[this.pos])) this.pos++;
    if (!this.atTerminator()) return this.fail(`bad character ${describeRune(this.src[this.pos]!)}`, this.pos);
    const word = this.src.slice(start, this.pos);
    if (KEYWORDS.has(word)) return this.emit('keyword', start);
    if (word === 'true' || word === 'false') return this.emit('bool', start);
    return this.emit(word === 'nil' ? 'nil' : 'identifier', start);
  }

  /** Go's scanNumber: what it accepts is checked again when the parser converts it. */
  private number(start: number): boolean {
    const accept = (set: string): boolean => {
      const c = this.src[this.pos];
      if (c === undefined || !set.includes(c)) return false;
      this.pos++;
      return true;
    };
    const acceptRun = (set: string) => {
      while (accept(set));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(this.src[this.pos])) {
      this.pos++;
      return this.fail(`bad number syntax: ${goQuote(this.src.slice(start, this.pos))}`, start);
    }
    return this.emit('number', start);
  }

  private quoted(start: number, quote: string, type: TokenType, unterminated: string): boolean {
    for (;;) {
      const c = this.src[this.pos++];
      if (c === '\\' && this.src[this.pos] !== undefined && this.src[this.pos] !== '\n') {
        this.pos++;
        continue;
      }
      if (c === undefined || c === '\\' || c === '\n') return this.fail(unterminated, start);
      if (c === quote) return this.emit(type, start);
    }
  }

  private rawQuoted(start: number): boolean {
    const close = this.src.indexOf('`', this.pos);
    if (close < 0) return this.fail('unterminated raw quoted string', start);
    this.pos = close + 1;
    return this.emit('rawString', start);
  }

  private emit(type: TokenType, start: number): true {
    this.tokens.push({ type, value: this.src.slice(start, this.pos), pos: start, end: this.pos });
    return true;
  }

  /** Ends the tokens with an error, which the parser reports when it reaches it. */
  private fail(message: string, pos: number): false {
    this.tokens.push({ type: 'error', value: message, pos, end: pos });
    return false;
  }
}

// ---------------------------------------------------------------- parser

type Parsed = Node | { kind: 'end' } | { kind: 'else' };

const TERM_START = new Set<TokenType>(['bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < pos; i = src.indexOf('\n', i + 1)) line++;
  return line;
}

class Parser {
  private i = 0;
  private last: Token | undefined;
  /** Variables in scope: $ and those declared so far in the enclosing controls. */
  private readonly vars = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Node[] {
    const list: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.fail(`unexpected {{${n.kind}}}`);
      list.push(n);
    }
    return list;
  }

  // Tokens. An error token from the lexer stops the parse where it is reached.

  private next(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (this.i < this.tokens.length) this.i++;
    this.last = t;
    if (t.type === 'error') this.fail(t.value);
    return t;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (t.type === 'error') return this.next();
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private fail(message: string): never {
    throw new UsageError(`template: :${lineOf(this.src, this.last?.pos ?? 0)}: ${message}`);
  }

  private unexpected(t: Token, context: string): never {
    this.fail(`unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  // Lists and actions.

  private itemList(): [Node[], 'end' | 'else'] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n.kind];
      list.push(n);
    }
    this.fail('unexpected EOF');
  }

  private textOrAction(): Parsed {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { kind: 'text', text: t.value };
    if (t.type === 'left') return this.action();
    this.unexpected(t, 'input');
  }

  private action(): Parsed {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'break':
        case 'continue':
          return this.loopControl(t.value, t.pos);
        case 'else':
          return this.elseControl();
        case 'end':
          this.expect('right', 'end');
          return { kind: 'end' };
        case 'if':
        case 'with':
        case 'range':
          return this.control(t.value, t.pos);
        default:
          this.fail(`{{${t.value}}} is not supported in --format`);
      }
    }
    this.backup();
    const pos = this.peekNonSpace().pos;
    return { kind: 'action', pos, pipe: this.pipeline('command', 'right') };
  }

  private loopControl(kind: 'break' | 'continue', pos: number): Node {
    const t = this.nextNonSpace();
    if (t.type !== 'right') this.unexpected(t, `{{${kind}}}`);
    if (!this.rangeDepth) this.fail(`{{${kind}}} outside {{range}}`);
    return { kind, pos };
  }

  /** {{else if ...}} and {{else with ...}} leave the if or with for control() to read. */
  private elseControl(): Parsed {
    const t = this.peekNonSpace();
    if (!(t.type === 'keyword' && (t.value === 'if' || t.value === 'with'))) this.expect('right', 'else');
    return { kind: 'else' };
  }

  private control(kind: 'if' | 'with' | 'range', pos: number): Node {
    const scope = this.vars.length;
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (next === 'else') {
      const chained = this.peek();
      if (kind !== 'range' && chained.type === 'keyword' && chained.value === kind) {
        // {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}.
        this.next();
        elseList = [this.control(kind, chained.pos)];
      } else {
        const [tail, end] = this.itemList();
        if (end !== 'end') this.fail('expected end; found {{else}}');
        elseList = tail;
      }
    }
    this.vars.length = scope;
    return { kind, pos, pipe, list, elseList };
  }

  // Pipelines, commands, operands.

  private pipeline(context: string, end: 'right' | 'rightParen'): Pipe {
    const pipe: Pipe = { pos: this.peekNonSpace().pos, decl: [], isAssign: false, cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!TERM_START.has(t.type)) this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  /** $x := ..., $x = ..., and range's $i, $v := ... */
  private declarations(pipe: Pipe, context: string): void {
    for (;;) {
      const save = this.i;
      const v = this.nextNonSpace();
      if (v.type !== 'variable') {
        this.i = save;
        return;
      }
      const op = this.nextNonSpace();
      if (op.type === 'declare' || op.type === 'assign') {
        pipe.isAssign = op.type === 'assign';
        for (const name of [...pipe.decl, v.value]) {
          if (pipe.isAssign && !this.vars.includes(name)) this.fail(`undefined variable "${name}"`);
        }
        pipe.decl.push(v.value);
        if (!pipe.isAssign) this.vars.push(...pipe.decl);
        return;
      }
      if (!(op.type === 'char' && op.value === ',')) {
        this.i = save;
        return;
      }
      pipe.decl.push(v.value);
      if (context !== 'range' || pipe.decl.length >= 2) this.fail(`too many declarations in ${context}`);
      if (this.peekNonSpace().type !== 'variable') this.fail('range can only initialize variables');
    }
  }

  private checkPipeline(pipe: Pipe, context: string): void {
    if (!pipe.cmds.length) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0]!.kind;
      if (first === 'literal' || first === 'dot' || first === 'nil') this.fail(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  private command(): Command {
    const pos = this.peekNonSpace().pos;
    const args: Arg[] = [];
    let end = pos;
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) {
        args.push(operand);
        end = this.last!.end;
      }
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'right' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (!args.length) this.fail('empty command');
    return { pos, text: this.src.slice(pos, end), args };
  }

  private operand(): Arg | undefined {
    const term = this.term();
    if (!term || this.peek().type !== 'field') return term;
    const names: string[] = [];
    const chainPos = this.peek().pos;
    while (this.peek().type === 'field') names.push(this.next().value.slice(1));
    const text = this.src.slice(term.pos, this.last!.end);
    switch (term.kind) {
      case 'field':
      case 'variable':
        // Go places errors in .A.B at .B, where the chain starts.
        return { ...term, pos: chainPos, text, names: [...term.names, ...names] };
      case 'literal':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term ${goQuote(term.text)}`);
      default:
        return { kind: 'chain', pos: term.pos, text, node: term, names };
    }
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    const at = { pos: t.pos, text: t.value };
    switch (t.type) {
      case 'identifier':
        if (!Object.hasOwn(FUNCTIONS, t.value)) this.fail(`function "${t.value}" not defined`);
        return { ...at, kind: 'function', name: t.value };
      case 'dot':
        return { ...at, kind: 'dot' };
      case 'nil':
        return { ...at, kind: 'nil' };
      case 'variable':
        if (!this.vars.includes(t.value)) this.fail(`undefined variable "${t.value}"`);
        return { ...at, kind: 'variable', name: t.value, names: [] };
      case 'field':
        return { ...at, kind: 'field', names: [t.value.slice(1)] };
      case 'bool':
        return { ...at, kind: 'literal', value: t.value === 'true' };
      case 'number':
      case 'charConstant':
        return { ...at, kind: 'literal', value: this.number(t) };
      case 'string':
      case 'rawString': {
        const value = unquote(t.value);
        if (value === undefined) this.fail(`invalid syntax: ${t.value}`);
        return { ...at, kind: 'literal', value };
      }
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return { pos: t.pos, text: this.src.slice(t.pos, this.last!.end), kind: 'pipe', pipe };
      }
    }
    this.backup();
    return undefined;
  }

  private number(t: Token): number {
    const value = t.type === 'charConstant' ? charValue(t.value) : numberValue(t.value);
    if (value === undefined) this.fail(t.type === 'charConstant' ? `malformed character constant: ${t.value}` : `illegal number syntax: ${goQuote(t.value)}`);
    return value;
  }
}

/** A token as Go's parser names it in "unexpected X in Y". */
function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'keyword' || t.type === 'dot' || t.type === 'nil') return `<${t.value}>`;
  if (t.type === 'right') return '"}}"';
  return [...t.value].length > 10 ? `${goQuote([...t.value].slice(0, 10).join(''))}...` : goQuote(t.value);
}

function numberValue(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  if (/_$|^_|__/.test(body)) return undefined;
  const digits = body.replace(/_/g, '');
  const bases: [RegExp, number][] = [[/^0[xX]([0-9a-fA-F]+)$/, 16], [/^0[oO]?([0-7]+)$/, 8], [/^0[bB]([01]+)$/, 2]];
  for (const [re, base] of bases) {
    const m = re.exec(digits);
    if (m) return sign * parseInt(m[1]!, base);
  }
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(digits)) return sign * Number(digits);
  return undefined;
}

/** A piece of a quoted literal: a byte from \x or an octal escape, or a character. */
type Piece = { byte: number } | { char: number };

function decodeEscapes(body: string, quote: string): Piece[] | undefined {
  const pieces: Piece[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (ch !== '\\') {
      if (ch === quote) return undefined;
      pieces.push({ char: cp });
      i += ch.length;
      continue;
    }
    const e = body[i + 1] ?? '';
    i += 2;
    const hex = (n: number): number | undefined => {
      const h = body.slice(i, i + n);
      i += n;
      return /^[0-9a-fA-F]+$/.test(h) && h.length === n ? parseInt(h, 16) : undefined;
    };
    let piece: Piece | undefined;
    if (Object.hasOwn(simple, e)) piece = { byte: simple[e]! };
    else if (e === quote) piece = { byte: quote.charCodeAt(0) };
    else if (e === 'x') piece = withByte(hex(2));
    else if (e === 'u' || e === 'U') piece = withChar(hex(e === 'u' ? 4 : 8));
    else if (/[0-7]/.test(e)) {
      const oct = body.slice(i - 1, i + 2);
      i += 2;
      piece = /^[0-7]{3}$/.test(oct) && parseInt(oct, 8) < 256 ? { byte: parseInt(oct, 8) } : undefined;
    }
    if (!piece) return undefined;
    pieces.push(piece);
  }
  return pieces;
}

function withByte(n: number | undefined): Piece | undefined {
  return n === undefined ? undefined : { byte: n };
}

function withChar(n: number | undefined): Piece | undefined {
  return n === undefined || n > 0x10ffff || (n >= 0xd800 && n < 0xe000) ? undefined : { char: n };
}

/** Go's strconv.Unquote for "..." and `...` (escapes make bytes, read as UTF-8). */
function unquote(literal: string): string | undefined {
  if (literal.startsWith('`')) return literal.slice(1, -1).replace(/\r/g, '');
  const pieces = decodeEscapes(literal.slice(1, -1), '"');
  if (!pieces) return undefined;
  const bytes = pieces.flatMap((p) => ('byte' in p ? [p.byte] : [...Buffer.from(String.fromCodePoint(p.char))]));
  return Buffer.from(bytes).toString('utf8');
}

function charValue(literal: string): number | undefined {
  const pieces = decodeEscapes(literal.slice(1, -1), "'");
  if (pieces?.length !== 1) return undefined;
  const p = pieces[0]!;
  return 'byte' in p ? p.byte : p.char;
}

// ---------------------------------------------------------------- values

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields whose objects are Go maps even when their keys look like field names. */
const MAP_FIELDS = new Set(['Labels', 'Annotations', 'Options', 'DriverOpts', 'Sysctls', 'StorageOpt']);

/** Keys a Go struct could have; anything else (or no key at all) means a map. */
function looksLikeMap(o: Obj): boolean {
  const keys = Object.keys(o);
  return !keys.length || keys.some((k) => !/^\p{Lu}[\p{L}\p{Nd}_]*$/u.test(k));
}

/** The Go type a value stands for, as Go's messages name it. */
function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'int' : 'float64';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v === 'string' ? 'string' : 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'function') return 'func';
  return 'map[string]interface {}';
}

/** Go's truth: false, 0, nil, "", and empty arrays and objects are false. */
function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function sortedKeys(o: Obj): string[] {
  return Object.keys(o).sort();
}

// ---------------------------------------------------------------- fmt

/** The flags, width and precision of one printf verb. */
interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  precision?: number;
}

const PLAIN: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false };

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

function formatArg(v: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(goType(v), spec);
  if (v === null || v === undefined) return verb === 'v' ? pad('<nil>', spec) : badVerb(verb, v);
  if (Array.isArray(v)) return `[${v.map((e) => formatArg(e, verb, spec)).join(' ')}]`;
  if (isObject(v)) return `map[${sortedKeys(v).map((k) => `${formatArg(k, verb, spec)}:${formatArg(v[k], verb, spec)}`).join(' ')}]`;
  if (typeof v === 'string') return formatString(v, verb, spec);
  if (typeof v === 'boolean') return verb === 'v' || verb === 't' ? pad(String(v), spec) : badVerb(verb, v);
  if (typeof v === 'number') return Number.isSafeInteger(v) ? formatInteger(v, verb, spec) : formatFloat(v, verb, spec);
  if (typeof v === 'bigint') return formatInteger(Number(v), verb, spec);
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

function formatInteger(value: number, verb: string, spec: Spec): string {
  const n = value === 0 ? 0 : value; // no -0 among integers
  const abs = BigInt(Math.abs(n));
  const bases: Record<string, [number, string]> = { d: [10, ''], v: [10, ''], b: [2, '0b'], o: [8, '0'], O: [8, '0o'], x: [16, '0x'], X: [16, '0X'] };
  const base = bases[verb];
  if (base) {
    let digits = abs.toString(base[0]);
    if (verb === 'X') digits = digits.toUpperCase();
    if (spec.precision !== undefined) digits = spec.precision === 0 && n === 0 ? '' : digits.padStart(spec.precision, '0');
    const prefix = verb === 'O' || (spec.sharp && verb !== 'd' && verb !== 'v' && !(verb === 'o' && digits.startsWith('0'))) ? base[1] : '';
    const text = withSign(n, prefix + digits, spec);
    return pad(text, spec, spec.precision === undefined && !spec.minus);
  }
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

/** A decimal: 0.DIGITS × 10^point, digits without leading or trailing zeros ('' for zero). */
interface Decimal {
  digits: string;
  point: number;
}

function trimDecimal(digits: string, point: number): Decimal {
  const lead = /^0*/.exec(digits)![0].length;
  return { digits: digits.slice(lead).replace(/0+$/, ''), point: lead === digits.length ? 0 : point - lead };
}

/** The shortest digits that read back as the same number (Go's and JavaScript's shortest). */
function shortestDecimal(abs: number): Decimal {
  const [mantissa, exp] = abs.toExponential().split('e') as [string, string];
  return trimDecimal(mantissa.replace('.', ''), Number(exp) + 1);
}

/** The exact digits of a double: toFixed(100) is exact to 100 places. */
function exactDecimal(abs: number): Decimal {
  if (abs >= 1e21) {
    const digits = BigInt(abs).toString();
    return trimDecimal(digits, digits.length);
  }
  if (abs !== 0 && abs < 1e-90) return shortestDecimal(abs);
  const [int, frac] = abs.toFixed(100).split('.') as [string, string];
  return trimDecimal(int + frac, int.length);
}

/** `d` rounded to `keep` significant digits, ties to even as Go's strconv rounds. */
function roundDecimal(d: Decimal, keep: number): Decimal {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: '', point: 0 };
  const kept = d.digits.slice(0, keep);
  const next = d.digits[keep]!;
  const tie = next === '5' && keep + 1 === d.digits.length;
  const up = next > '5' || (next === '5' && (!tie || Number(kept[kept.length - 1] ?? '0') % 2 === 1));
  if (!up) return trimDecimal(kept, d.point);
  const carried = (BigInt(kept || '0') + 1n).toString();
  const grew = carried.length > keep;
  return trimDecimal(carried, d.point + (grew ? 1 : 0));
}

/** %f: `precision` digits after the point. */
function formatF(abs: number, precision: number): string {
  const exact = exactDecimal(abs);
  const d = roundDecimal(exact, exact.point + precision);
  const int = d.point > 0 ? d.digits.slice(0, d.point).padEnd(d.point, '0') : '0';
  const frac = (d.point >= 0 ? d.digits.slice(d.point) : '0'.repeat(-d.point) + d.digits).padEnd(precision, '0').slice(0, precision);
  return precision > 0 ? `${int}.${frac}` : int;
}

/** %e: one digit, `precision` more after the point, and a two-digit exponent at least. */
function formatE(abs: number, precision: number): string {
  const d = abs === 0 ? { digits: '0', point: 1 } : roundDecimal(exactDecimal(abs), precision + 1);
  const digits = d.digits.padEnd(precision + 1, '0');
  return `${digits[0]}${precision > 0 ? `.${digits.slice(1)}` : ''}${exponent(d.point - 1)}`;
}

function exponent(x: number): string {
  return `e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
}

/** %g: the shortest digits (or `precision` significant ones); exponent form below 1e-4 and from 1e+precision (1e+06 for the shortest, as Go prints 1e6). */
function formatG(abs: number, precision: number | undefined): string {
  if (abs === 0) return '0';
  const p = precision === undefined ? undefined : Math.max(precision, 1);
  const { digits, point } = p === undefined ? shortestDecimal(abs) : roundDecimal(exactDecimal(abs), p);
  const x = point - 1;
  if (x < -4 || x >= (p ?? 6)) return `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}${exponent(x)}`;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

function isPrintable(c: string): boolean {
  return c === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c);
}

/** Go's strconv.Quote (QuoteToASCII with `ascii`). */
function goQuote(s: string, ascii = false): string {
  return `"${[...s].map((c) => escapeRune(c, '"', ascii)).join('')}"`;
}

function goQuoteRune(cp: number): string {
  return `'${escapeRune(String.fromCodePoint(cp), "'", false)}'`;
}

function escapeRune(c: string, quote: string, ascii: boolean): string {
  if (c === quote || c === '\\') return `\\${c}`;
  const cp = c.codePointAt(0)!;
  if (isPrintable(c) && !(ascii && cp > 0x7e)) return c;
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  if (named[c]) return named[c];
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

function canBackquote(s: string): boolean {
  return !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(s);
}

/** Go's fmt.Sprintf. */
function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  const takeInt = (): number | undefined => {
    const v = args[next++];
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  };
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const spec: Spec = { ...PLAIN };
    for (let f = format[i]; f !== undefined && '+-# 0'.includes(f); f = format[++i]) {
      if (f === '+') spec.plus = true;
      else if (f === '-') spec.minus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === '0') spec.zero = true;
      else spec.space = true;
    }
    if (format[i] === '*') {
      i++;
      const w = takeInt();
      if (w === undefined) out += '%!(BADWIDTH)';
      else if (w < 0) [spec.minus, spec.width] = [true, -w];
      else spec.width = w;
    } else {
      const w = /^\d+/.exec(format.slice(i))?.[0];
      if (w) [spec.width, i] = [Number(w), i + w.length];
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = takeInt();
        if (p === undefined || p < 0) out += '%!(BADPREC)';
        else spec.precision = p;
      } else {
        const p = /^\d*/.exec(format.slice(i))![0];
        [spec.precision, i] = [Number(p || 0), i + p.length];
      }
    }
    const verb = format.codePointAt(i) === undefined ? undefined : String.fromCodePoint(format.codePointAt(i)!);
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    i += verb.length;
    if (verb === '%') out += '%';
    else if (next >= args.length) out += `%!${verb}(MISSING)`;
    else out += formatArg(args[next++], verb, spec);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args.slice(next).map((a) => (a === null || a === undefined ? '<nil>' : `${goType(a)}=${formatValue(a)}`)).join(', ')})`;
  }
  return out;
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  return args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(a)).join('');
}

function sprintln(args: unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

// ---------------------------------------------------------------- functions

/** A failure inside a function: reported as "error calling NAME: ...". */
class CallError extends Error {}

type Param = 'any' | 'string' | 'int' | 'list';

interface Context {
  isMap(o: Obj): boolean;
}

interface Builtin {
  params: Param[];
  /** The type of further arguments, for functions that take any number. */
  rest?: Param;
  fn: (args: unknown[], ctx: Context) => unknown;
}

const str = (v: unknown) => v as string;
const int = (v: unknown) => v as number;

const FUNCTIONS: Record<string, Builtin> = {
  and: { params: ['any'], rest: 'any', fn: () => undefined }, // short-circuit: see callFunction
  or: { params: ['any'], rest: 'any', fn: () => undefined },
  not: { params: ['any'], fn: ([v]) => !isTrue(v) },
  len: { params: ['any'], fn: ([v]) => length(v) },
  index: { params: ['any'], rest: 'any', fn: ([item, ...ix]) => index(item, ix) },
  slice: { params: ['any'], rest: 'any', fn: ([item, ...ix]) => slice(item, ix) },
  eq: { params: ['any'], rest: 'any', fn: ([a, ...rest]) => eq(a, rest) },
  ne: { params: ['any', 'any'], fn: ([a, b]) => !eq(a, [b]) },
  lt: { params: ['any', 'any'], fn: ([a, b]) => less(a, b) },
  le: { params: ['any', 'any'], fn: ([a, b]) => less(a, b) || eq(a, [b]) },
  gt: { params: ['any', 'any'], fn: ([a, b]) => !(less(a, b) || eq(a, [b])) },
  ge: { params: ['any', 'any'], fn: ([a, b]) => !less(a, b) },
  print: { params: [], rest: 'any', fn: (args) => sprint(args) },
  printf: { params: ['string'], rest: 'any', fn: ([f, ...args]) => sprintf(str(f), args) },
  println: { params: [], rest: 'any', fn: (args) => sprintln(args) },
  html: { params: [], rest: 'any', fn: (args) => htmlEscape(textOf(args)) },
  js: { params: [], rest: 'any', fn: (args) => jsEscape(textOf(args)) },
  urlquery: { params: [], rest: 'any', fn: (args) => queryEscape(textOf(args)) },
  // docker's and podman's additions.
  json: { params: ['any'], fn: ([v], ctx) => toJson(v, ctx) },
  join: { params: ['list', 'string'], fn: ([list, sep]) => (list as unknown[]).map((e) => (typeof e === 'string' ? e : formatValue(e))).join(str(sep)) },
  split: { params: ['string', 'string'], fn: ([s, sep]) => (sep === '' ? [...str(s)] : str(s).split(str(sep))) },
  lower: { params: ['string'], fn: ([s]) => str(s).toLowerCase() },
  upper: { params: ['string'], fn: ([s]) => str(s).toUpperCase() },
  title: { params: ['string'], fn: ([s]) => title(str(s)) },
  truncate: { params: ['string', 'int'], fn: ([s, n]) => [...str(s)].slice(0, Math.max(int(n), 0)).join('') },
  pad: { params: ['string', 'int', 'int'], fn: ([s, before, after]) => (s === '' ? '' : ' '.repeat(Math.max(int(before), 0)) + str(s) + ' '.repeat(Math.max(int(after), 0))) },
};

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isObject(v)) return Object.keys(v).length;
  if (v === null || v === undefined) throw new CallError('len of nil pointer');
  throw new CallError(`len of type ${goType(v)}`);
}

/** An index into a string (its bytes) or array: within [0, length), or up to length for slice. */
function indexArg(ix: unknown, len: number, upToLength: boolean): number {
  if (ix === null || ix === undefined) throw new CallError('cannot index slice/array with nil');
  if (typeof ix !== 'number' || !Number.isInteger(ix)) throw new CallError(`cannot index slice/array with type ${goType(ix)}`);
  if (ix < 0 || ix > len || (ix === len && !upToLength)) throw new CallError(`index out of range: ${ix}`);
  return ix;
}

function index(item: unknown, indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new CallError('index of untyped nil');
  let cur: unknown = item;
  for (const ix of indexes) {
    if (cur === null || cur === undefined) throw new CallError('index of nil pointer');
    if (typeof cur === 'string') {
      const bytes = Buffer.from(cur);
      cur = bytes[indexArg(ix, bytes.length, false)];
    } else if (Array.isArray(cur)) {
      cur = cur[indexArg(ix, cur.length, false)];
    } else if (isObject(cur)) {
      if (typeof ix !== 'string') throw new CallError(`value has type ${goType(ix)}; should be string`);
      cur = Object.hasOwn(cur, ix) ? cur[ix] : zeroValueOf(cur);
    } else {
      throw new CallError(`can't index item of type ${goType(cur)}`);
    }
  }
  return cur;
}

/** What Go's index gives for a missing key: "" in a map of strings (labels), nil otherwise. */
function zeroValueOf(map: Obj): unknown {
  return Object.values(map).every((v) => typeof v === 'string') ? '' : null;
}

function slice(item: unknown, indexes: unknown[]): unknown {
  if (item === null || item === undefined) throw new CallError('slice of untyped nil');
  if (indexes.length > 3) throw new CallError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let cut: (i: number, j: number) => unknown;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new CallError('cannot 3-index slice a string');
    const bytes = Buffer.from(item);
    [len, cut] = [bytes.length, (i, j) => bytes.subarray(i, j).toString()];
  } else if (Array.isArray(item)) {
    [len, cut] = [item.length, (i, j) => item.slice(i, j)];
  } else {
    throw new CallError(`can't slice item of type ${goType(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((ix, n) => (idx[n] = indexArg(ix, len, true)));
  const [i, j, k] = idx as [number, number, number];
  if (i > j) throw new CallError(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new CallError(`invalid slice index: ${j} > ${k}`);
  return cut(i, j);
}

type Kind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'other';
}

/** eq x a b ...: x == a || x == b ...; nil equals only nil. */
function eq(a: unknown, others: unknown[]): boolean {
  if (!others.length) throw new CallError('missing argument for comparison');
  return others.some((b) => {
    const [ka, kb] = [basicKind(a), basicKind(b)];
    if (ka === 'nil' || kb === 'nil') return ka === kb;
    if (ka !== kb) throw new CallError('incompatible types for comparison');
    if (ka === 'other') throw new CallError(`non-comparable type ${formatValue(a)}: ${goType(a)}`);
    return a === b;
  });
}

function less(a: unknown, b: unknown): boolean {
  const [ka, kb] = [basicKind(a), basicKind(b)];
  if (!(ka === 'number' || ka === 'string') || !(kb === 'number' || kb === 'string')) throw new CallError('invalid type for comparison');
  if (ka !== kb) throw new CallError('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

/** html, js and urlquery take one string as is, anything else as print would write it. */
function textOf(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

function htmlEscape(s: string): string {
  const map: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\ufffd' };
  return s.replace(/["'&<>\0]/g, (c) => map[c]!);
}

function jsEscape(s: string): string {
  const map: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' };
  return [...s]
    .map((c) => {
      const cp = c.codePointAt(0)!;
      if (map[c]) return map[c];
      if (cp < 0x20) return `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
      if (cp >= 0x80 && !isPrintable(c)) return `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      return c;
    })
    .join('');
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return [...Buffer.from(s)]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
      return c === ' ' ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Go's strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
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

/** docker's json: compact, no HTML escaping, map keys sorted as Go's encoder sorts them. */
function toJson(v: unknown, ctx: Context): string {
  const text = JSON.stringify(v ?? null, (key, value: unknown) => {
    if (!isObject(value) || !(MAP_FIELDS.has(key) || ctx.isMap(value))) return value;
    return Object.fromEntries(sortedKeys(value).map((k) => [k, value[k]]));
  });
  return (text ?? 'null').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

// ---------------------------------------------------------------- execution

/** A {{break}} or {{continue}} on its way to the enclosing range. */
class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

/** No value came down the pipeline (distinct from undefined, a missing map key). */
const NO_FINAL = Symbol('no final argument');

type Located = { pos: number; text: string };

class Execution implements Context {
  private readonly out: string[] = [];
  private readonly vars: { name: string; value: unknown }[];
  /** Objects reached through a MAP_FIELDS field: maps wherever they go. */
  private readonly maps = new WeakSet<object>();

  constructor(
    private readonly source: string,
    private readonly root: unknown,
  ) {
    this.vars = [{ name: '$', value: root }];
  }

  run(nodes: readonly Node[]): string {
    this.walk(this.root, nodes);
    return this.out.join('');
  }

  isMap(o: Obj): boolean {
    return o !== this.root && (this.maps.has(o) || looksLikeMap(o));
  }

  private fail(at: Located, message: string): never {
    const before = this.source.slice(0, at.pos);
    const column = at.pos - (before.lastIndexOf('\n') + 1);
    throw new UsageError(`template: :${lineOf(this.source, at.pos)}:${column}: executing "" at <${at.text}>: ${message}`);
  }

  private walk(dot: unknown, nodes: readonly Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.out.push(node.text);
          break;
        case 'action': {
          const value = this.evalPipeline(dot, node.pipe);
          if (!node.pipe.decl.length) this.print(node.pipe.cmds[0]!, value);
          break;
        }
        case 'if':
        case 'with':
          this.walkIfOrWith(dot, node);
          break;
        case 'range':
          this.walkRange(dot, node);
          break;
        default:
          throw new LoopSignal(node.kind);
      }
    }
  }

  private print(at: Located, value: unknown): void {
    if (typeof value === 'function') this.fail(at, `can't print ${at.text} of type func`);
    this.out.push(value === undefined ? '<no value>' : formatValue(value));
  }

  private walkIfOrWith(dot: unknown, node: ControlNode): void {
    const scope = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value)) this.walk(node.kind === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = scope;
    }
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const scope = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const entries = this.rangeEntries(node, value);
      const body = this.vars.length;
      for (const [key, elem] of entries) {
        this.setRangeVars(node.pipe, key, elem);
        try {
          this.walk(elem, node.list);
        } catch (err) {
          if (!(err instanceof LoopSignal)) throw err;
          if (err.kind === 'break') break;
        } finally {
          this.vars.length = body;
        }
      }
      if (!entries.length && node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = scope;
    }
  }

  /** Arrays by index, objects in sorted key order (as Go ranges over maps), an integer n as 0..n-1. */
  private rangeEntries(node: ControlNode, value: unknown): [unknown, unknown][] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((e, i) => [i, e]);
    if (isObject(value)) return sortedKeys(value).map((k) => [k, value[k]]);
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (node.pipe.decl.length > 1) this.fail(node.pipe.cmds[0]!, `can't use ${value} to iterate over more than one variable`);
      return Array.from({ length: Math.max(value, 0) }, (_, i) => [i, i]);
    }
    this.fail(node.pipe.cmds[0]!, `range can't iterate over ${formatValue(value)}`);
  }

  /** {{range $v := ...}} sets $v to the element; {{range $i, $v := ...}} sets $i to the key too. */
  private setRangeVars(pipe: Pipe, key: unknown, elem: unknown): void {
    const [first, second] = pipe.decl;
    if (first === undefined) return;
    if (pipe.isAssign) {
      if (second === undefined) this.setVar(first, elem);
      else [this.setVar(first, key), this.setVar(second, elem)];
      return;
    }
    const top = this.vars.length - 1;
    this.vars[top]!.value = elem;
    if (second !== undefined) this.vars[top - 1]!.value = key;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    throw new UsageError(`template: undefined variable: ${name}`);
  }

  private varValue(at: Located, name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    this.fail(at, `undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        return this.evalFields(dot, first, first.names, cmd, final);
      case 'chain':
        return this.evalFields(this.evalArg(dot, first.node), first, first.names, cmd, final);
      case 'variable': {
        const value = this.varValue(first, first.name);
        if (first.names.length) return this.evalFields(value, first, first.names, cmd, final);
        this.notAFunction(cmd, final);
        return value;
      }
      case 'function':
        return this.callFunction(dot, first, cmd.args.slice(1), final, cmd);
      case 'pipe':
        this.notAFunction(cmd, final);
        return this.evalPipeline(dot, first.pipe);
      case 'nil':
        this.fail(first, 'nil is not a command');
      default:
        this.notAFunction(cmd, final);
        return first.kind === 'dot' ? dot : first.value;
    }
  }

  private notAFunction(cmd: Command, final: unknown): void {
    const first = cmd.args[0]!;
    if (cmd.args.length > 1 || final !== NO_FINAL) this.fail(first, `can't give argument to non-function ${first.text}`);
  }

  /** An operand given to a function or method. */
  private evalArg(dot: unknown, arg: Arg): unknown {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'literal':
        return arg.value;
      case 'field':
        return this.evalFields(dot, arg, arg.names, undefined, NO_FINAL);
      case 'variable': {
        const value = this.varValue(arg, arg.name);
        return arg.names.length ? this.evalFields(value, arg, arg.names, undefined, NO_FINAL) : value;
      }
      case 'chain':
        return this.evalFields(this.evalArg(dot, arg.node), arg, arg.names, undefined, NO_FINAL);
      case 'pipe':
        return this.evalPipeline(dot, arg.pipe);
      case 'function':
        return this.callFunction(dot, arg, [], NO_FINAL, arg);
    }
  }

  /** .A.B.C from `receiver`; arguments and the piped value go to the last one, if it is a method. */
  private evalFields(receiver: unknown, at: Located, names: string[], cmd: Command | undefined, final: unknown): unknown {
    let value = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      value = this.evalField(value, name, at, last ? (cmd?.args.slice(1) ?? []) : [], last ? final : NO_FINAL, cmd);
    });
    return value;
  }

  private evalField(receiver: unknown, name: string, at: Located, args: Arg[], final: unknown, cmd: Command | undefined): unknown {
    const hasArgs = args.length > 0 || final !== NO_FINAL;
    // A field of a missing map entry is missing too, as in Go.
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(at, `nil pointer evaluating interface {}.${name}`);
    if (!isObject(receiver)) this.fail(at, `can't evaluate field ${name} in type ${goType(receiver)}`);
    if (!Object.hasOwn(receiver, name)) {
      if (!this.isMap(receiver)) this.fail(at, `can't evaluate field ${name}: use one of ${Object.keys(receiver).join(', ')}`);
      if (hasArgs) this.fail(at, `${name} is not a method but has arguments`);
      return undefined;
    }
    const value = receiver[name];
    if (typeof value === 'function') return this.callMethod(receiver, name, value, args, final, cmd ?? at);
    if (hasArgs) this.fail(at, `${name} has arguments but cannot be invoked as function`);
    if (MAP_FIELDS.has(name) && isObject(value)) this.maps.add(value);
    return value;
  }

  /** A function-valued field, called the way Go calls a method. */
  private callMethod(receiver: Obj, name: string, method: Function, args: Arg[], final: unknown, at: Located): unknown {
    const values = args.map((a) => this.evalArg(receiver, a));
    if (final !== NO_FINAL) values.push(final);
    try {
      return method.apply(receiver, values) as unknown;
    } catch (err) {
      this.fail(at, `error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private callFunction(dot: unknown, fn: Extract<Arg, { kind: 'function' }>, args: Arg[], final: unknown, at: Located): unknown {
    const builtin = FUNCTIONS[fn.name]!;
    const count = args.length + (final === NO_FINAL ? 0 : 1);
    if (builtin.rest ? count < builtin.params.length : count !== builtin.params.length) {
      this.fail(fn, `wrong number of args for ${fn.name}: want ${builtin.rest ? 'at least ' : ''}${builtin.params.length} got ${count}`);
    }
    if (fn.name === 'and' || fn.name === 'or') return this.andOr(dot, fn.name === 'or', args, final);
    const param = (i: number): Param => builtin.params[i] ?? builtin.rest ?? 'any';
    const values = args.map((arg, i) => this.convert(arg, arg, this.evalArg(dot, arg), param(i)));
    if (final !== NO_FINAL) values.push(this.convert(at, undefined, final, param(args.length)));
    try {
      return builtin.fn(values, this);
    } catch (err) {
      if (err instanceof CallError) this.fail(at, `error calling ${fn.name}: ${err.message}`);
      throw err;
    }
  }

  /** and/or stop at the first argument that decides, and return it. */
  private andOr(dot: unknown, isOr: boolean, args: Arg[], final: unknown): unknown {
    let value: unknown;
    for (const arg of args) {
      value = this.evalArg(dot, arg);
      if (isTrue(value) === isOr) return value;
    }
    return final === NO_FINAL ? value : final;
  }

  /** Go's checks of an argument (from `node`, or the pipeline) against a function's parameter type. */
  private convert(at: Located, node: Arg | undefined, v: unknown, param: Param): unknown {
    if (param === 'any') return v === undefined ? null : v;
    const expected = { string: 'string', int: 'int', list: '[]string' }[param];
    if (param === 'list' && (v === undefined || v === null)) return [];
    if (node?.kind === 'nil') this.fail(at, `cannot assign nil to ${expected}`);
    const ok = param === 'string' ? typeof v === 'string' : param === 'int' ? Number.isSafeInteger(v) : Array.isArray(v);
    if (ok) return v;
    if (node?.kind === 'literal') {
      const found = { string: `expected string; found ${node.text}`, int: `expected integer; found ${node.text}`, list: `can't handle ${node.text} for arg of type []string` };
      this.fail(at, found[param]);
    }
    if (v === undefined) this.fail(at, `invalid value; expected ${expected}`);
    this.fail(at, `wrong type for value; expected ${expected}; got ${goType(v)}`);
  }
}
