// What husk-userns says on stderr, read back. A failure or a warning is one
// line of JSON (addon/userns/errors.h):
//
//   husk-userns: error {"step":"readlink","errno":2,"path":"etc/x","message":"etc/x: readlink: No such file or directory"}
//   husk-userns: warning {"step":"mknod","errno":1,"path":"dev/null","message":"dev/null: cannot create ..."}
//
// Anything else is plain text: usage errors, what a program run by
// `husk-userns exec` printed. Bytes of a path that are not UTF-8 arrive as
// lone surrogates U+DC80..U+DCFF (helperBytes() gives the bytes back).
import os from 'node:os';
import type { SpawnSyncReturns } from 'node:child_process';
import { NativeError } from '../core/errors.js';

const PREFIX = 'husk-userns: ';
const ERROR = `${PREFIX}error `;
const WARNING = `${PREFIX}warning`;

/** One failure or warning as the helper reported it. */
export interface HelperReport {
  /** What was being done: "readlink", "set xattr user.x", "untar" (the command itself). */
  step?: string;
  /** Of the failed system call; absent when none failed. */
  errno?: number;
  /** Its name: ENOENT. */
  code?: string;
  /** The archive entry or path concerned. */
  path?: string;
  /** For people: "etc/x: readlink: No such file or directory". */
  message: string;
}

/** husk-userns failed: a NativeError whose message is one line for the user. */
export class HelperError extends NativeError {
  constructor(message: string, report: Omit<HelperReport, 'message'> = {}) {
    super(message);
    this.name = 'HelperError';
    if (report.step !== undefined) this.step = report.step;
    if (report.errno !== undefined) this.errno = report.errno;
    if (report.code !== undefined) this.code = report.code;
    if (report.path !== undefined) this.path = report.path;
  }
}

let errnoNames: Map<number, string> | undefined;

/** ENOENT for 2; the first name of an errno given two (EAGAIN, not EWOULDBLOCK), except glibc's EOPNOTSUPP as the addon names it. */
export function errnoName(errno: number): string | undefined {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, n] of Object.entries(os.constants.errno)) if (!errnoNames.has(n)) errnoNames.set(n, name);
    errnoNames.set(os.constants.errno.EOPNOTSUPP, 'EOPNOTSUPP');
  }
  return errnoNames.get(errno);
}

/** A line of stderr as a report, if it is one of the given kind ('error' or 'warning'). */
export function parseHelperLine(line: string, kind: 'error' | 'warning'): HelperReport | undefined {
  const head = kind === 'error' ? ERROR : `${WARNING} `;
  if (!line.startsWith(head)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(head.length));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.message !== 'string') return undefined;
  const report: HelperReport = { message: r.message };
  if (typeof r.step === 'string' && r.step) report.step = r.step;
  if (typeof r.path === 'string') report.path = r.path;
  if (typeof r.errno === 'number' && Number.isInteger(r.errno) && r.errno > 0) {
    report.errno = r.errno;
    report.code = errnoName(r.errno);
  }
  return report;
}

const lines = (stderr: string) => stderr.split('\n').map((l) => l.replace(/\r$/, ''));

/** The helper's warnings (a socket or a device node skipped, ...). */
export function helperWarnings(stderr: string): HelperReport[] {
  return lines(stderr).flatMap((l) => parseHelperLine(l, 'warning') ?? []);
}

/** The helper's warnings as messages for the user. */
export function warningsIn(stderr: string): string[] {
  return helperWarnings(stderr).map((w) => w.message);
}

export interface HelperErrorOptions {
  /** Instead of "failed (exit N)" when stderr says nothing. */
  fallback?: string;
  /** A program run by `husk-userns exec` whose own messages start with "NAME: ". */
  program?: string;
}

/**
 * Why the helper failed (exit `code`; 141: killed by SIGPIPE), as an error
 * whose message is `what: MESSAGE`: its last error line, else its last
 * plain-text line of its own (a usage error: the usage text follows it),
 * else the last line of the program it ran, else how it ended.
 */
export function helperErrorFrom(code: number | null, stderr: string, what?: string, opts: HelperErrorOptions = {}): HelperError {
  const all = lines(stderr);
  let report: HelperReport | undefined;
  for (let i = all.length - 1; i >= 0 && !report; i--) report = parseHelperLine(all[i]!, 'error');
  if (!report) report = { message: plainMessage(all, opts.program) || opts.fallback || (code === 141 ? 'its output was closed before the end (SIGPIPE)' : `failed (exit ${code})`) };
  const { message, ...fields } = report;
  return new HelperError(what ? `${what}: ${message}` : message, fields);
}

function plainMessage(all: string[], program: string | undefined): string | undefined {
  const text = all.map((l) => l.trim()).filter((l) => l && !l.startsWith(WARNING));
  const own = text.filter((l) => l.startsWith(PREFIX)).pop();
  if (own) return own.slice(PREFIX.length);
  const last = text.pop();
  return program && last?.startsWith(`${program}: `) ? last.slice(program.length + 2) : last;
}

/** The same for a helper run with spawnSync (which may not have started at all). */
export function helperErrorFromSync(r: SpawnSyncReturns<string>, what: string, opts: HelperErrorOptions = {}): HelperError {
  return helperErrorFrom(r.status, r.stderr ?? '', what, { fallback: r.error?.message ?? 'failed', ...opts });
}

/** The bytes a string from the helper stands for (a path that was not UTF-8 comes back exactly). */
export function helperBytes(s: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    // Iterating by code point, a surrogate on its own is a lone one.
    parts.push(cp >= 0xdc80 && cp <= 0xdcff ? Buffer.from([cp - 0xdc00]) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}
