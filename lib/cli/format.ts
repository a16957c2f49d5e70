// --format for listings: "json", a Go-template-like line with {{.Field}}
// placeholders (and {{json .}}), and the "table" prefix that adds a header.
// The subset docker users write most; a full Go template engine is for later.
import { UsageError } from '../engine/errors.js';

export type Row = Record<string, string | number | string[] | undefined>;

const PLACEHOLDER = /\{\{\s*(?:(json)\s+)?\.([A-Za-z]*)\s*\}\}/g;

function value(row: Row, field: string, json: boolean): string {
  if (field === '') return JSON.stringify(row);
  if (!(field in row)) throw new UsageError(`template: can't evaluate field ${field}: use one of ${Object.keys(row).join(', ')}`);
  const v = row[field];
  if (json) return JSON.stringify(v);
  return Array.isArray(v) ? v.join(',') : String(v ?? '');
}

/** Header text for a column: CreatedSince -> CREATED SINCE, ID -> ID. */
function header(field: string): string {
  return field.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

export function renderRows(format: string, rows: Row[]): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const isTable = format.startsWith('table');
  const template = (isTable ? format.slice(5).trim() : format).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const out = rows.map((r) => template.replace(PLACEHOLDER, (_, json: string | undefined, field: string) => value(r, field, !!json)));
  if (isTable) {
    const head = template.replace(PLACEHOLDER, (_, _j: string | undefined, field: string) => header(field));
    const cells = [head, ...out].map((l) => l.split('\t'));
    const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
    return `${cells.map((c) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n')}\n`;
  }
  return out.map((l) => `${l}\n`).join('');
}
