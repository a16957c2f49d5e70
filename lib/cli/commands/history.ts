// husk history [--no-trunc] [-q] [-H=false] [-n] [--format F] IMAGE
import type { CommandModule } from 'yargs';
import { imageHistory, type HistoryRow } from '../../engine/images.js';
import { contextFrom, humanSize, table, timeAgo, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type HistoryArgs = GlobalArgs & { image: string; trunc: boolean; quiet: boolean; human: boolean; noheading: boolean; format?: string };

export const historyCommand: CommandModule<object, HistoryArgs> = {
  command: 'history <image>',
  describe: 'Show the history of an image',
  builder: (y) =>
    y.options({
      // --no-trunc negates --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs and commands (--no-trunc: show them whole)' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show image IDs' },
      human: { alias: 'H', type: 'boolean', default: true, describe: 'Sizes and dates for humans (-H=false: bytes and RFC 3339 times)' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the column headings' },
      format: { type: 'string', describe: 'json, or a template such as "table {{.ID}}\\t{{.CreatedBy}}" (docker\'s and podman\'s fields)' },
    }) as never,
  handler: (argv) => {
    const history = imageHistory(contextFrom(argv), argv.image);
    if (argv.format === 'json') {
      printOut(`${JSON.stringify(history.map(jsonOf))}\n`);
      return;
    }
    const rows = history.map((h) => rowOf(h, argv));
    if (argv.quiet) {
      printOut(rows.map((r) => `${String(r.ID)}\n`).join(''));
      return;
    }
    let out: string;
    if (argv.format) {
      out = renderRows(argv.format, rows, { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY' });
      if (!argv.format.startsWith('table')) return printOut(out);
    } else {
      out = table(
        ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
        rows.map((r) => [String(r.ID), String(r.Created), String(r.CreatedBy), String(r.Size), String(r.Comment)]),
      );
    }
    printOut(argv.noheading ? out.slice(out.indexOf('\n') + 1) : out);
  },
};

/** The fields docker's and podman's history templates name. */
function rowOf(h: HistoryRow, opts: { trunc: boolean; human: boolean }): Row {
  const id = h.id === '<missing>' || !opts.trunc ? h.id : h.id.slice(0, 12);
  const by = !opts.trunc || h.createdBy.length <= 45 ? h.createdBy : `${h.createdBy.slice(0, 42)}...`;
  const at = h.created ? rfc3339(h.created) : '';
  const created = !h.created ? '' : opts.human ? timeAgo(h.created) : at;
  return {
    ID: id,
    Created: created,
    CreatedSince: created,
    CreatedAt: at,
    CreatedBy: by,
    Size: opts.human ? humanSize(h.size) : String(h.size),
    Comment: h.comment,
    Tags: h.tags,
  };
}

/** podman's `history --format json`: its layer fields, Created as an RFC 3339 time. */
function jsonOf(h: HistoryRow): Record<string, unknown> {
  return {
    id: h.id,
    ...(h.created ? { created: h.created } : {}),
    ...(h.createdBy ? { CreatedBy: h.createdBy } : {}),
    ...(h.tags.length ? { tags: h.tags } : {}),
    size: h.size,
    ...(h.comment ? { comment: h.comment } : {}),
    Created: h.created ? rfc3339(h.created) : '0001-01-01T00:00:00Z',
  };
}

/** 2026-12-07T05:36:44Z: seconds, as Go's time.RFC3339 writes a UTC time. */
function rfc3339(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19)}Z`;
}
