// The values of literal tokens, as Go's parser reads them: numbers in Go's
// syntax (0x1F, 0o17, 1_000, 1e3), character constants ('a', '\n') and
// strings ("..." with Go's escapes, `...` raw). undefined means the literal is
// malformed; the parser turns that into Go's message.

export function numberValue(text: string): number | undefined {
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

/** Go's strconv.Unquote for "..." and `...` (escapes make bytes, read as UTF-8). */
export function unquote(literal: string): string | undefined {
  if (literal.startsWith('`')) return literal.slice(1, -1).replace(/\r/g, '');
  const pieces = decodeEscapes(literal.slice(1, -1), '"');
  if (!pieces) return undefined;
  const bytes = pieces.flatMap((p) => ('byte' in p ? [p.byte] : [...Buffer.from(String.fromCodePoint(p.char))]));
  return Buffer.from(bytes).toString('utf8');
}

export function charValue(literal: string): number | undefined {
  const pieces = decodeEscapes(literal.slice(1, -1), "'");
  if (pieces?.length !== 1) return undefined;
  const p = pieces[0]!;
  return 'byte' in p ? p.byte : p.char;
}

/** A piece of a quoted literal: a byte from \x or an octal escape, or a character. */
type Piece = { byte: number } | { char: number };

function decodeEscapes(body: string, quote: string): Piece[] | undefined {
  const pieces: Piece[] = [];
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (ch !== '\\') {
      if (ch === quote) return undefined;
      pieces.push({ char: cp });
      i += ch.length;
      continue;
    }
    const escape = decodeEscape(body, i + 1, quote);
    if (!escape) return undefined;
    pieces.push(escape.piece);
    i = escape.end;
  }
  return pieces;
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** The escape whose letter is at `at` (just after the backslash), and where it ends. */
function decodeEscape(body: string, at: number, quote: string): { piece: Piece; end: number } | undefined {
  const e = body[at] ?? '';
  const after = at + 1;
  const hex = (n: number): number | undefined => {
    const h = body.slice(after, after + n);
    return /^[0-9a-fA-F]+$/.test(h) && h.length === n ? parseInt(h, 16) : undefined;
  };
  const ending = (piece: Piece | undefined, end: number) => (piece ? { piece, end } : undefined);
  if (Object.hasOwn(SIMPLE_ESCAPES, e)) return { piece: { byte: SIMPLE_ESCAPES[e]! }, end: after };
  if (e === quote) return { piece: { byte: quote.charCodeAt(0) }, end: after };
  if (e === 'x') return ending(withByte(hex(2)), after + 2);
  if (e === 'u' || e === 'U') {
    const n = e === 'u' ? 4 : 8;
    return ending(withChar(hex(n)), after + n);
  }
  if (/[0-7]/.test(e)) {
    // Three octal digits, the first being the escape's letter: \101 is A.
    const oct = body.slice(at, at + 3);
    return ending(/^[0-7]{3}$/.test(oct) && parseInt(oct, 8) < 256 ? { byte: parseInt(oct, 8) } : undefined, at + 3);
  }
  return undefined;
}

function withByte(n: number | undefined): Piece | undefined {
  return n === undefined ? undefined : { byte: n };
}

/** A code point Go accepts in \u and \U: none beyond Unicode, no surrogate halves. */
function withChar(n: number | undefined): Piece | undefined {
  return n === undefined || n > 0x10ffff || (n >= 0xd800 && n < 0xe000) ? undefined : { char: n };
}
