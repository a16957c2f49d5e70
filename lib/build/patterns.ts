// Path patterns as docker's builder reads them: a port of moby's
// patternmatcher (the .dockerignore and COPY --exclude rules) and of Go's
// filepath.Match (COPY source wildcards, one path component at a time).
// Faithful on purpose, quirks included (`**/foo` also matches `barfoo`,
// as a suffix match does in moby), so that a context husk sends is the one
// docker would.

import path from 'node:path';
import { UsageError } from '../core/errors.js';

/** Go's filepath.Clean for slash paths: '' is '.', no trailing slash, `..` kept only where it cannot be resolved. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Buildkit's containsWildcards: `*`, `?` or `[`, not escaped by a backslash. */
export function hasWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

// ---------------------------------------------------------------- Go's filepath.Match

class BadPattern extends Error {}

/** `[...]` of a Go pattern from `i` (just after `[`) as a RegExp class; returns it and the index after `]`. */
function goClass(p: string, i: number): [string, number] {
  let negated = false;
  if (p[i] === '^') {
    negated = true;
    i++;
  }
  let out = '';
  let ranges = 0;
  // One character of the class, with Go's rules: `-` and `]` must be escaped where they are not syntax.
  const esc = (): string => {
    if (i >= p.length || p[i] === '-' || p[i] === ']') throw new BadPattern();
    if (p[i] === '\\') i++;
    const cp = p.codePointAt(i);
    if (cp === undefined) throw new BadPattern();
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (i >= p.length) throw new BadPattern();
    return `\\u{${cp.toString(16)}}`;
  };
  for (;;) {
    if (p[i] === ']' && ranges > 0) return [`[${negated ? '^' : ''}${out}]`, i + 1];
    const lo = esc();
    let hi = lo;
    if (p[i] === '-') {
      i++;
      hi = esc();
    }
    out += lo === hi ? lo : `${lo}-${hi}`;
    ranges++;
  }
}

/**
 * A Go filepath.Match pattern as an anchored RegExp (`*` and `?` never
 * match '/'). Throws BadPattern where Go returns ErrBadPattern.
 */
function goPatternRegExp(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const [cls, next] = goClass(p, i + 1);
      re += cls;
      i = next;
    } else {
      if (c === '\\') {
        i++;
        if (i >= p.length) throw new BadPattern();
      }
      const ch = String.fromCodePoint(p.codePointAt(i)!);
      re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += ch.length;
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

const globCache = new Map<string, RegExp>();

/** Go's filepath.Match(pattern, name); a malformed pattern is a UsageError. */
export function globMatch(pattern: string, name: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    try {
      re = goPatternRegExp(pattern);
    } catch {
      throw new UsageError(`invalid pattern ${JSON.stringify(pattern)}: syntax error in pattern`);
    }
    globCache.set(pattern, re);
  }
  return re.test(name);
}

// ---------------------------------------------------------------- moby's patternmatcher

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

const REGEXP_SPECIAL = new Set([...'.+()|{}$']);

class Pattern {
  readonly type: MatchType;
  readonly regexp?: RegExp;

  constructor(
    readonly cleaned: string,
    readonly exclusion: boolean,
  ) {
    [this.type, this.regexp] = Pattern.compile(cleaned);
  }

  /** moby's Pattern.compile, for '/' as the separator. */
  private static compile(p: string): [MatchType, RegExp | undefined] {
    let re = '^';
    let type: MatchType = 'exact';
    const chars = [...p];
    for (let i = 0, k = 0; k < chars.length; i++) {
      const ch = chars[k++]!;
      if (ch === '*' && chars[k] === '*') {
        k++;
        if (chars[k] === '/') k++;
        if (k >= chars.length) {
          // `**` at the end: like .gitignore, everything below.
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else if (ch === '*') {
        re += '[^/]*';
        type = 'regexp';
      } else if (ch === '?') {
        re += '[^/]';
        type = 'regexp';
      } else if (REGEXP_SPECIAL.has(ch)) {
        re += `\\${ch}`;
      } else if (ch === '\\') {
        if (k < chars.length) {
          re += `\\${chars[k++]!}`;
          type = 'regexp';
        } else re += '\\\\';
      } else if (ch === '[' || ch === ']') {
        re += ch;
        type = 'regexp';
      } else {
        re += ch;
      }
    }
    if (type !== 'regexp') return [type, undefined];
    try {
      return [type, new RegExp(`${re}$`, 'u')];
    } catch {
      // Go's RE2 accepts escapes that a Unicode JS RegExp does not (`\a`): try the lenient syntax.
      return [type, new RegExp(`${re}$`)];
    }
  }

  match(p: string): boolean {
    switch (this.type) {
      case 'exact':
        return p === this.cleaned;
      case 'prefix':
        return p.startsWith(this.cleaned.slice(0, -2));
      case 'suffix': {
        const suffix = this.cleaned.slice(2);
        if (p.endsWith(suffix)) return true;
        // `**/foo` matches `foo`.
        return suffix.startsWith('/') && p === suffix.slice(1);
      }
      case 'regexp':
        return this.regexp!.test(p);
    }
  }
}

/** moby's PatternMatcher: later patterns win, `!` re-includes, a pattern matching a parent matches its contents. */
export class PatternMatcher {
  readonly patterns: Pattern[] = [];
  readonly exclusions: boolean;

  /** `source` names the file or flag in error messages. */
  constructor(patterns: string[], source: string) {
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new UsageError(`${source}: illegal exclusion pattern: "!"`);
        exclusion = true;
        p = p.slice(1);
      }
      try {
        // As moby does: filepath.Match's syntax check, the regexp compiled below.
        goPatternRegExp(p);
        this.patterns.push(new Pattern(p, exclusion));
      } catch {
        throw new UsageError(`${source}: invalid pattern ${JSON.stringify(raw.trim())}: syntax error in pattern`);
      }
    }
    this.exclusions = this.patterns.some((p) => p.exclusion);
  }

  /** MatchesOrParentMatches: `file` is a clean relative slash path. */
  matches(file: string): boolean {
    const parent = path.posix.dirname(file);
    const dirs = parent === '.' ? [] : parent.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      // An inclusion cannot change a match, an exclusion cannot change a miss.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      for (let i = 0; !match && i < dirs.length; i++) match = pattern.match(dirs.slice(0, i + 1).join('/'));
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * Whether something below the matched directory `dir` may be re-included
   * by an exception, so the directory must still be walked. Compared
   * component by component: a `**` (or a pattern this cannot judge) says yes.
   */
  mayIncludeBelow(dir: string): boolean {
    if (!this.exclusions) return false;
    const parts = dir.split('/');
    return this.patterns.some((p) => p.exclusion && exceptionMayReachBelow(p.cleaned.split('/'), parts));
  }
}

function exceptionMayReachBelow(pattern: string[], dir: string[]): boolean {
  for (let i = 0; i < dir.length; i++) {
    const comp = pattern[i];
    if (comp === undefined) return false;
    if (comp.includes('**')) return true;
    try {
      if (!goPatternRegExp(comp).test(dir[i]!)) return false;
    } catch {
      return true;
    }
  }
  return pattern.length > dir.length;
}

/**
 * The patterns of a .dockerignore file, as moby's ignorefile.ReadAll reads
 * them: a UTF-8 BOM dropped, `#` comments only at the very start of a line,
 * blanks skipped, each path cleaned and a leading '/' dropped (a `!` kept).
 */
export function parseIgnoreFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let p = line.trim();
    if (p === '') continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}
