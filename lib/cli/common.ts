// What every command shares: the global options, the Context they select,
// and small output helpers.
import type { Options } from 'yargs';
import { openContext, type Context } from '../engine/context.js';
import { TERMINAL_UI } from './terminal-ui.js';

/** A flag given twice takes its last value, as docker's flags do (yargs would make a list). */
export const lastWins = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);

export const GLOBAL_OPTIONS: Record<string, Options> = {
  root: { type: 'string', coerce: lastWins, describe: 'Storage root directory (images, containers)', global: true },
  runroot: { type: 'string', coerce: lastWins, describe: 'Directory for volatile state (sockets, locks)', global: true },
  'storage-driver': { type: 'string', coerce: lastWins, describe: 'Root filesystem driver: overlay, fuse-overlayfs or vfs', global: true },
  'log-level': { type: 'string', coerce: lastWins, describe: 'Log messages at this level or above (error, warn, info, debug)', global: true, default: 'warn' },
  color: { type: 'boolean', describe: 'Use colours on a terminal (--no-color: never)', global: true, default: true },
};

export interface GlobalArgs {
  root?: string;
  runroot?: string;
  storageDriver?: string;
}

export function contextFrom(argv: GlobalArgs): Context {
  return openContext({ root: argv.root, runroot: argv.runroot, storageDriver: argv.storageDriver, ui: TERMINAL_UI });
}

/** Prints the user namespace warning once per store (no subordinate ids). */
export function warnAboutUserns(ctx: Context): void {
  const w = ctx.userns()?.warning;
  if (w) process.stderr.write(`WARN: ${w}\n`);
}

/** "3 seconds ago", "About a minute ago", "2 hours ago": docker's wording. */
export function timeAgo(iso: string, now = Date.now()): string {
  return `${humanDuration(now - Date.parse(iso))} ago`;
}

/** docker's (go-units) wording: seconds and minutes truncated, hours rounded. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/** 1.23MB, 4.5kB: docker's decimal units, to `digits` significant digits. */
export function humanSize(bytes: number, digits = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes;
  let i = 0;
  // Three significant digits; 999.9kB rounds to 1MB, not to 1e+3kB.
  while (i < units.length - 1 && Number(v.toPrecision(digits)) >= 1000) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(digits))}${units[i]}`;
}

/** Columns padded to their widest cell, three spaces apart, as docker prints them. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** "2026-12-07 05:36:44 +0000 UTC": a time as docker's and podman's listings print CreatedAt. */
export function goTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
