// Go's strconv quoting, which Go's messages and the %q verb use: the same
// escapes and the same idea of a printable character, so output matches Go's.

export function isPrintable(c: string): boolean {
  return c === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c);
}

/** Go's %#U: U+0041 'A'. */
export function describeRune(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrintable(c) ? `${code} '${c}'` : code;
}

/** Go's strconv.Quote (QuoteToASCII with `ascii`). */
export function goQuote(s: string, ascii = false): string {
  return `"${[...s].map((c) => escapeRune(c, '"', ascii)).join('')}"`;
}

export function goQuoteRune(cp: number): string {
  return `'${escapeRune(String.fromCodePoint(cp), "'", false)}'`;
}

/** Whether %#q may print `s` between backquotes. */
export function canBackquote(s: string): boolean {
  return !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(s);
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
