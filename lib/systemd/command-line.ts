// Command lines in unit files: how a word is written so that systemd reads
// it back as that word (systemd.service(5), "Command lines"), and the
// layout podman's generated units use (one option per line).

/**
 * A word as systemd reads it back: `$` and `%` doubled (no variable nor
 * specifier expansion), quoted when it holds a blank or a quote,
 * backslashes doubled otherwise. podman's escapeSystemdArg.
 */
export function escapeArg(arg: string): string {
  const s = arg.replace(/\$/g, '$$$$').replace(/%/g, '%%');
  if (/[ \t"']/.test(s) || s === '') return quote(s);
  return s.replace(/\\/g, '\\\\');
}

/** A C-style double-quoted string, as Go's strconv.Quote writes it (systemd reads the same escapes). */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Words already escaped, one command line: an option starts a new
 * (continued) line, as podman lays out its units, so a reader sees one
 * flag per line.
 */
export function formatCommand(words: string[]): string {
  if (words.length === 0) return '';
  let out = words[0]!;
  for (const w of words.slice(1)) out += w.startsWith('-') ? ` \\\n\t${w}` : ` ${w}`;
  return out;
}

/** escapeArg on every word, then formatCommand; words holding specifiers on purpose (%t, %n) go through `raw`. */
export function commandLine(words: Array<string | { raw: string }>): string {
  return formatCommand(words.map((w) => (typeof w === 'string' ? escapeArg(w) : w.raw)));
}

/**
 * The words of a command line in a unit file (Exec=, PodmanArgs=, ...), as
 * systemd splits them: blanks separate, double or single quotes group, C
 * escapes inside double quotes and outside quotes. Specifiers (%n) and
 * variables are left as they are: systemd expands them itself.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let word = '';
    while (i < text.length && !/\s/.test(text[i]!)) {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        const end = closingQuote(text, i);
        const inner = text.slice(i + 1, end);
        word += ch === '"' ? unescapeC(inner) : inner;
        i = end + 1;
      } else if (ch === '\\' && i + 1 < text.length) {
        const [value, len] = escapeAt(text, i);
        word += value;
        i += len;
      } else {
        word += ch;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

function closingQuote(text: string, open: number): number {
  const q = text[open]!;
  for (let j = open + 1; j < text.length; j++) {
    if (text[j] === '\\' && q === '"') j++;
    else if (text[j] === q) return j;
  }
  throw new Error(`unbalanced quotes in: ${text}`);
}

function unescapeC(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    if (s[i] === '\\' && i + 1 < s.length) {
      const [value, len] = escapeAt(s, i);
      out += value;
      i += len;
    } else out += s[i++];
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };

/** The escape at s[i] (a backslash): its value and how many characters it took. */
function escapeAt(s: string, i: number): [string, number] {
  const c = s[i + 1]!;
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, 2];
  if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) return [String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16)), 4];
  if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return [String.fromCodePoint(parseInt(s.slice(i + 2, i + 6), 16)), 6];
  if (/[0-7]/.test(c) && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) return [String.fromCharCode(parseInt(s.slice(i + 1, i + 4), 8)), 4];
  return [c, 2];
}
