// --format for listings and inspect: "json", or a Go template (template.ts)
// as docker and podman users write it, where the "table" prefix adds a header
// and aligns the tab-separated columns.
import { parse, type Arg, type Node, type Pipe, type Template } from './template.js';

/** One listed item: the fields a template can name (nested objects allowed). */
export type Row = Record<string, unknown>;

/** A --format parsed once, before any work: JSON, a table, or one line per value. */
export type ParsedFormat = { kind: 'json' } | { kind: 'table' | 'lines'; template: Template };

/**
 * Parses a --format, so that a bad one fails before the command does any
 * work; `table: false` (inspect) reads a "table" prefix as plain text.
 */
export function parseTemplate(format: string, options: { table?: boolean } = {}): ParsedFormat {
  if (format === 'json') return { kind: 'json' };
  // `\t` and `\n` typed in a shell mean a tab and a newline, as docker and podman read them.
  if ((options.table ?? true) && format.startsWith('table')) {
    return { kind: 'table', template: parse(format.slice('table'.length).trim(), { unescapeText: true }) };
  }
  return { kind: 'lines', template: parse(format, { unescapeText: true }) };
}

/**
 * Listings: a JSON array, a table with a header, or a line per row.
 * `headers` names columns as the command's own table does (ps: ID is
 * "CONTAINER ID"); other fields get their name in capitals.
 */
export function renderRows(format: string | ParsedFormat, rows: Row[], headers: Record<string, string> = {}): string {
  const parsed = typeof format === 'string' ? parseTemplate(format) : format;
  if (parsed.kind === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const lines = rows.map((row) => parsed.template.execute(row));
  if (parsed.kind === 'lines') return lines.map((l) => `${l}\n`).join('');
  return alignColumns([headerOf(parsed.template, headers), ...lines]);
}

/** inspect --format: the template once for the value (no table), or pretty JSON. */
export function renderOne(format: string | ParsedFormat, value: unknown): string {
  const parsed = typeof format === 'string' ? parseTemplate(format, { table: false }) : format;
  if (parsed.kind === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return `${parsed.template.execute(value)}\n`;
}

/** Header text for a column: CreatedSince -> CREATED SINCE, ID -> ID, unless the command names it. */
function header(field: string, headers: Record<string, string>): string {
  return headers[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/** The template's text with each action replaced by the header of the field it shows. */
function headerOf(template: Template, headers: Record<string, string>): string {
  return template.root.map((node) => headerText(node, headers)).join('');
}

function headerText(node: Node, headers: Record<string, string>): string {
  switch (node.kind) {
    case 'text':
      return node.text;
    case 'action':
      return node.pipe.decl.length ? '' : header(fieldOf(node.pipe) ?? '', headers);
    case 'if':
    case 'with':
    case 'range':
      return header(fieldOf(node.pipe) ?? '', headers);
    default:
      return '';
  }
}

/** The last name of the first field a pipeline reads: Names in {{join .Names ","}}, B in {{.A.B}}. */
function fieldOf(pipe: Pipe): string | undefined {
  for (const cmd of pipe.cmds) {
    for (const arg of cmd.args) {
      const name = fieldOfArg(arg);
      if (name !== undefined) return name;
    }
  }
  return undefined;
}

function fieldOfArg(arg: Arg): string | undefined {
  switch (arg.kind) {
    case 'field':
    case 'variable':
      return arg.names[arg.names.length - 1];
    case 'chain':
      return arg.names[arg.names.length - 1] ?? fieldOfArg(arg.node);
    case 'pipe':
      return fieldOf(arg.pipe);
    default:
      return undefined;
  }
}

/** Pads every tab-terminated cell to its column's width plus 3, as docker's tabwriter does. */
function alignColumns(lines: string[]): string {
  const cells = lines.join('\n').split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const line of cells) {
    line.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  }
  const padded = cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell + ' '.repeat(widths[i]! + 3 - width(cell)))).join('').trimEnd());
  return `${padded.join('\n')}\n`;
}

/** Characters, not UTF-16 units, as tabwriter counts them. */
function width(s: string): number {
  return [...s].length;
}
