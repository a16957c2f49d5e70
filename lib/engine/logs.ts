// Reading a container's log (the monitor's k8s-file format: one record per
// line, "<RFC3339 time> <stdout|stderr> <F|P> <text>", P continuing a line
// the next record ends) with docker's selections: --since, --until, --tail,
// and --follow, which reads on as the monitor writes until the container
// stops.
import fs from 'node:fs';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  /** The text, with its newline when the record ends a line. */
  text: string;
}

export interface LogOptions {
  follow?: boolean;
  since?: number; // ms since the epoch
  until?: number;
  /** The last N lines only (before following). */
  tail?: number;
}

const RECORD = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/;

/** Records in `text`; a last line without its newline (being written) is left for later. */
export function parseLogRecords(text: string): { records: LogRecord[]; consumed: number } {
  const records: LogRecord[] = [];
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const m = RECORD.exec(text.slice(pos, nl));
    pos = nl + 1;
    if (!m) continue;
    records.push({ time: m[1]!, stream: m[2] as LogRecord['stream'], text: m[3] === 'F' ? `${m[4]}\n` : m[4]! });
  }
  return { records, consumed: pos };
}

/** The records of the last `n` lines (a line = P records up to an F one). */
function lastLines(records: LogRecord[], n: number): LogRecord[] {
  if (n <= 0) return [];
  let lines = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i]!.text.endsWith('\n')) {
      lines++;
      if (lines > n) return records.slice(i + 1);
    }
  }
  return records;
}

function inWindow(rec: LogRecord, opts: LogOptions): boolean {
  if (opts.since === undefined && opts.until === undefined) return true;
  const t = Date.parse(rec.time);
  return (opts.since === undefined || t >= opts.since) && (opts.until === undefined || t <= opts.until);
}

export function readLogs(ctx: Context, view: ContainerView, opts: LogOptions = {}): LogRecord[] {
  const file = view.record.logPath ?? new ContainerStore(ctx).paths(view.record.id).log;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const records = parseLogRecords(text).records.filter((r) => inWindow(r, opts));
  return opts.tail !== undefined ? lastLines(records, opts.tail) : records;
}

/**
 * Hands each record to `emit`: what the log holds (after the selections),
 * then, with `follow`, what the monitor appends, until the container no
 * longer runs (or `until` has passed).
 */
export async function streamLogs(ctx: Context, view: ContainerView, opts: LogOptions, emit: (rec: LogRecord) => void): Promise<void> {
  const store = new ContainerStore(ctx);
  const file = view.record.logPath ?? store.paths(view.record.id).log;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    if (!opts.follow) return;
  }
  let carry = '';
  let offset = 0;
  const readMore = (): LogRecord[] => {
    if (fd === undefined) {
      try {
        fd = fs.openSync(file, 'r');
      } catch {
        return [];
      }
    }
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const { records, consumed } = parseLogRecords(carry + Buffer.concat(chunks).toString('utf8'));
    carry = (carry + Buffer.concat(chunks).toString('utf8')).slice(consumed);
    return records.filter((r) => inWindow(r, opts));
  };
  try {
    const first = readMore();
    for (const r of opts.tail !== undefined ? lastLines(first, opts.tail) : first) emit(r);
    if (!opts.follow) return;
    for (;;) {
      const now = store.view(view.record.id);
      const done = !now || now.status !== 'running' || (opts.until !== undefined && Date.now() > opts.until);
      for (const r of readMore()) emit(r);
      if (done) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** --since/--until: RFC 3339 times, Unix seconds, or a duration before now (10m, 1h30m, 45s). */
export function parseLogTime(text: string, flag: string, now = Date.now()): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const ago = parseDuration(t);
  if (ago !== undefined) return now - ago;
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
  if (Number.isNaN(parsed)) throw new UsageError(`invalid ${flag} "${text}": give a time (2024-01-02T15:04:05Z), Unix seconds or a duration (10m)`);
  return parsed;
}
