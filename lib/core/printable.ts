// Text that came from outside (an archive, a registry, a user's file) made
// fit for a one-line message: JSON.parse quotes the start of what it could
// not read, which may be NUL bytes, escape sequences or newlines.

/** Control characters escaped as \uXXXX (\n as \n), and at most `max` characters. */
export function printable(text: string, max = 200): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
