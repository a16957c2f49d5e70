// Go's text/template lexer: the source becomes text tokens and, between {{
// and }}, the tokens of actions. Trim markers ({{- and -}}) and comments are
// handled here, so the parser never sees them. A lexing error becomes the
// last token, and the parser reports it only when it reaches it, as Go does:
// an earlier parse error wins.
import { describeRune, goQuote } from '../../core/go-quote.js';

export type TokenType =
  | 'text' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'dot' | 'identifier' | 'keyword'
  | 'bool' | 'nil' | 'number' | 'charConstant' | 'string' | 'rawString' | 'char'
  | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign' | 'error' | 'eof';

export interface Token {
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

export class Lexer {
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

  private number(start: number): boolean {
    this.pos = scanNumber(this.src, start);
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

/**
 * Go's scanNumber: the end of the number that starts at `pos`. It is generous
 * (1_2, 0x1p-2, 3i); the parser checks what it accepted when it converts it.
 */
function scanNumber(src: string, pos: number): number {
  const accept = (set: string): boolean => {
    const c = src[pos];
    if (c === undefined || !set.includes(c)) return false;
    pos++;
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
  // Decimal numbers take an exponent e, hexadecimal ones p.
  if (digits.length === 11 && accept('eE')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  if (digits.length === 23 && accept('pP')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  accept('i');
  return pos;
}
