// The parser's view of the tokens: one token of lookahead with backup (as Go's
// parser has), and Go's parse error messages. A lexing error token stops the
// parse where it is reached.
import { parseError } from './errors.js';
import type { Token, TokenType } from './lexer.js';
import { goQuote } from '../../core/go-quote.js';

export class TokenCursor {
  protected i = 0;
  /** The last token read, whose line a parse error names. */
  protected last: Token | undefined;

  constructor(
    protected readonly src: string,
    private readonly tokens: Token[],
  ) {}

  protected next(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (this.i < this.tokens.length) this.i++;
    this.last = t;
    if (t.type === 'error') this.fail(t.value);
    return t;
  }

  protected backup(): void {
    this.i--;
  }

  protected peek(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (t.type === 'error') return this.next();
    return t;
  }

  protected nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  protected peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  protected fail(message: string): never {
    throw parseError(this.src, this.last?.pos ?? 0, message);
  }

  protected unexpected(t: Token, context: string): never {
    this.fail(`unexpected ${describeToken(t)} in ${context}`);
  }

  protected expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
}

/** A token as Go's parser names it in "unexpected X in Y". */
function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'keyword' || t.type === 'dot' || t.type === 'nil') return `<${t.value}>`;
  if (t.type === 'right') return '"}}"';
  return [...t.value].length > 10 ? `${goQuote([...t.value].slice(0, 10).join(''))}...` : goQuote(t.value);
}
