// systemd's unit file format, read and written as podman's quadlet does
// (pkg/systemd/parser): groups of `Key=value` lines, kept in order with
// their comments, a key given more than once kept every time (an empty
// value resets the list), a trailing backslash continuing the line.
import { splitWords } from './command-line.js';

interface Line {
  key?: string;
  value: string;
}

interface Group {
  name: string;
  lines: Line[];
}

export class UnitFile {
  /** The groups in order; comments before the first group are in the group named "". */
  private groups: Group[] = [];

  /** The file's name ("web.container") and where it was read (for relative paths and SourcePath=). */
  constructor(
    public filename: string,
    public path = '',
  ) {}

  static parse(text: string, filename: string, path = ''): UnitFile {
    const f = new UnitFile(filename, path);
    let group: Group | undefined;
    let pending = '';
    const raw = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
    raw.forEach((rawLine, i) => {
      let line = rawLine.trim();
      const comment = line.startsWith('#') || line.startsWith(';');
      // A comment inside a continued line is skipped, as systemd does.
      if (comment && pending) return;
      if (!comment && line.endsWith('\\') && i !== raw.length - 1) {
        pending += line.slice(0, -1);
        return;
      }
      if (!comment && line.endsWith('\\')) line = line.slice(0, -1);
      if (pending) {
        line = pending + line;
        pending = '';
      }
      // Blank lines are not kept: keys are added and moved, and a blank would end up anywhere.
      if (line === '') return;
      if (comment) {
        (group ?? f.ensure('')).lines.push({ value: line });
        return;
      }
      if (line.startsWith('[')) {
        if (!line.endsWith(']') || line.length < 3) throw new UnitFileError(`${filename} line ${i + 1}: invalid group header "${line}"`);
        group = f.ensure(line.slice(1, -1));
        return;
      }
      const eq = line.indexOf('=');
      if (eq <= 0) throw new UnitFileError(`${filename} line ${i + 1}: expected KEY=VALUE or [Group], got "${line}"`);
      if (!group || group.name === '') throw new UnitFileError(`${filename} line ${i + 1}: a key outside of any [Group]`);
      const key = line.slice(0, eq).trimEnd();
      if (!/^[A-Za-z0-9-]+$/.test(key)) throw new UnitFileError(`${filename} line ${i + 1}: invalid key name "${key}"`);
      group.lines.push({ key, value: line.slice(eq + 1).trimStart() });
    });
    return f;
  }

  private ensure(name: string): Group {
    let g = this.groups.find((x) => x.name === name);
    if (!g) {
      g = { name, lines: [] };
      this.groups.push(g);
    }
    return g;
  }

  hasGroup(name: string): boolean {
    return this.groups.some((g) => g.name === name);
  }

  /** Every key of a group, in order, once each. */
  keys(group: string): string[] {
    const g = this.groups.find((x) => x.name === group);
    return [...new Set((g?.lines ?? []).flatMap((l) => (l.key ? [l.key] : [])))];
  }

  /** Every value of a key, as written; an empty assignment drops the ones before it. */
  lookupAllRaw(group: string, key: string): string[] {
    let values: string[] = [];
    for (const l of this.groups.find((x) => x.name === group)?.lines ?? []) {
      if (l.key !== key) continue;
      values = l.value === '' ? [] : [...values, l.value];
    }
    return values;
  }

  hasKey(group: string, key: string): boolean {
    return (this.groups.find((x) => x.name === group)?.lines ?? []).some((l) => l.key === key);
  }

  /** The last value (surrounding double quotes taken off, as podman's Lookup). */
  lookup(group: string, key: string): string | undefined {
    const lines = (this.groups.find((x) => x.name === group)?.lines ?? []).filter((l) => l.key === key);
    const last = lines[lines.length - 1];
    if (!last) return undefined;
    const v = last.value.trimEnd();
    return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  }

  /** yes/true/on/1 (any case) true; anything else false; undefined when not set. */
  lookupBoolean(group: string, key: string): boolean | undefined {
    const v = this.lookup(group, key);
    return v === undefined ? undefined : ['1', 'yes', 'true', 'on'].includes(v.toLowerCase());
  }

  /** Every value split into words (quotes and escapes as systemd reads them): Exec=, PodmanArgs=, Environment=. */
  lookupAllArgs(group: string, key: string): string[] {
    return this.lookupAllRaw(group, key).flatMap((v) => splitWords(v));
  }

  /** The last value's words (Exec=). */
  lookupLastArgs(group: string, key: string): string[] | undefined {
    const all = this.lookupAllRaw(group, key);
    return all.length ? splitWords(all[all.length - 1]!) : undefined;
  }

  /** KEY=VALUE words of every value (Environment=, Label=), in order; a bare KEY has no value. */
  lookupAllKeyVal(group: string, key: string): Array<[string, string | undefined]> {
    return this.lookupAllArgs(group, key).map((w) => {
      const eq = w.indexOf('=');
      return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
    });
  }

  add(group: string, key: string, value: string): void {
    this.ensure(group).lines.push({ key, value });
  }

  /** Replaces every value of the key by this one (at the first one's place). */
  set(group: string, key: string, value: string): void {
    const g = this.ensure(group);
    const at = g.lines.findIndex((l) => l.key === key);
    if (at < 0) {
      g.lines.push({ key, value });
      return;
    }
    // The first stays where it was (nothing before it has the key, so `at` holds after the filter).
    g.lines = g.lines.filter((l, i) => l.key !== key || i === at);
    g.lines[at] = { key, value };
  }

  unset(group: string, key: string): void {
    const g = this.groups.find((x) => x.name === group);
    if (g) g.lines = g.lines.filter((l) => l.key !== key);
  }

  /** A line before the group's others (network-online.target dependencies come first, as podman puts them). */
  prepend(group: string, key: string, value: string): void {
    this.ensure(group).lines.unshift({ key, value });
  }

  renameGroup(from: string, to: string): void {
    const g = this.groups.find((x) => x.name === from);
    if (!g) return;
    const existing = this.groups.find((x) => x.name === to);
    if (existing) {
      existing.lines.push(...g.lines);
      this.groups = this.groups.filter((x) => x !== g);
    } else g.name = to;
  }

  /** A drop-in's lines after this file's, group by group. */
  merge(other: UnitFile): void {
    for (const g of other.groups) if (g.name) this.ensure(g.name).lines.push(...g.lines.filter((l) => l.key));
  }

  copy(filename: string): UnitFile {
    const f = new UnitFile(filename, this.path);
    f.groups = this.groups.map((g) => ({ name: g.name, lines: g.lines.map((l) => ({ ...l })) }));
    return f;
  }

  toString(): string {
    const out: string[] = [];
    for (const g of this.groups) {
      if (g.name === '') {
        out.push(...g.lines.map((l) => l.value));
        continue;
      }
      if (out.length) out.push('');
      out.push(`[${g.name}]`, ...g.lines.map((l) => (l.key ? `${l.key}=${l.value}` : l.value)));
    }
    return `${out.join('\n')}\n`;
  }
}

/** A file that cannot be read as a unit file. */
export class UnitFileError extends Error {}
