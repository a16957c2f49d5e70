// html, js and urlquery: Go's escapers, byte for byte, for output pasted
// into HTML, JavaScript or a URL.
import { sprint } from './printf.js';
import { isPrintable } from '../../core/go-quote.js';

/** html, js and urlquery take one string as is, anything else as print would write it. */
export function textOf(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

export function htmlEscape(s: string): string {
  const map: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\ufffd' };
  return s.replace(/["'&<>\0]/g, (c) => map[c]!);
}

export function jsEscape(s: string): string {
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
export function queryEscape(s: string): string {
  return [...Buffer.from(s)]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
      return c === ' ' ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}
