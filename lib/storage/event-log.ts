// The per-user events log, in place of a daemon's event stream: one JSON
// line per event, appended with O_APPEND in a single write (lines of a few
// hundred bytes, so concurrent husk processes never interleave within one),
// and rotated under a lock when it passes its size: the log and one older
// file, as podman's file backend keeps it.
import fs from 'node:fs';
import path from 'node:path';
import { withLockSync } from './lock.js';

/** podman's events_logfile_max_size default. */
export const EVENT_LOG_MAX = 1024 * 1024;

export interface EventLog {
  file: string;
  max: number;
}

export function eventLog(runRoot: string, max = EVENT_LOG_MAX): EventLog {
  return { file: path.join(runRoot, 'events', 'events.log'), max };
}

/** Appends one record; a log that cannot be written loses the event, never the command's work. */
export function appendEvent(log: EventLog, record: object): void {
  const line = `${JSON.stringify(record)}\n`;
  try {
    fs.mkdirSync(path.dirname(log.file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(log.file, line, { mode: 0o600 });
    if (fs.statSync(log.file).size > log.max) rotate(log);
  } catch {
    /* events are a record of work done, not part of it */
  }
}

function rotate(log: EventLog): void {
  withLockSync(`${log.file}.lock`, () => {
    // Another writer may have rotated it meanwhile.
    if (fs.statSync(log.file).size <= log.max) return;
    fs.renameSync(log.file, `${log.file}.1`);
  });
}

/** Every record in the log, oldest first (the rotated file, then the log). */
export function readEvents<T>(log: EventLog): T[] {
  return [`${log.file}.1`, log.file].flatMap((f) => parseLines<T>(readOr(f)));
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function parseLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      /* a line cut short by a crash */
    }
  }
  return out;
}

/**
 * Records appended from now on, as they come (polled; a rotation is
 * followed into the new file), until `stop` says so.
 */
export async function* followEvents<T>(log: EventLog, stop: () => boolean, everyMs = 200): AsyncGenerator<T> {
  let ino = statOf(log.file)?.ino;
  let offset = statOf(log.file)?.size ?? 0;
  let partial = '';
  while (!stop()) {
    const st = statOf(log.file);
    if (st && (st.ino !== ino || st.size < offset)) {
      // Rotated: the rest of the old file first, then the new one from its start.
      if (ino !== undefined) yield* parseLines<T>(partial + readFrom(`${log.file}.1`, offset));
      ino = st.ino;
      offset = 0;
      partial = '';
    }
    if (st && st.size > offset) {
      const text = partial + readFrom(log.file, offset, st.size);
      offset = st.size;
      const cut = text.lastIndexOf('\n');
      partial = text.slice(cut + 1);
      yield* parseLines<T>(text.slice(0, cut + 1));
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function readFrom(file: string, start: number, end?: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = (end ?? fs.fstatSync(fd).size) - start;
      if (size <= 0) return '';
      const buf = Buffer.alloc(size);
      fs.readSync(fd, buf, 0, size, start);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
