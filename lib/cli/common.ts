// What every command shares: the global options, the Context they select,
// and small output helpers.
import type { Options } from 'yargs';
import { openContext, type Context } from '../engine/context.js';
import { TERMINAL_UI } from './terminal-ui.js';
import { UsageError } from '../core/errors.js';
import { ignoredFlag, refusedFlag } from './compat.js';
import { redirectOutput } from './output.js';

/** A flag given twice takes its last value, as docker's flags do (yargs would make a list). */
export const lastWins = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
/** A repeatable string flag (-e A -e B): every value, in order. */
export const many = (describe: string): Options => ({ type: 'string', array: true, nargs: 1, default: [], describe });

const NO_SERVICE = 'husk has no service: every command runs the engine itself, on this machine';

/** podman's log levels; debug and trace also print an error's stack. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic'];

function logLevel(v: unknown): string {
  const level = String(lastWins(v));
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`log level "${level}" is not supported: choose from ${LOG_LEVELS.join(', ')}`);
  return level;
}

export const GLOBAL_OPTIONS: Record<string, Options> = {
  root: { type: 'string', coerce: lastWins, describe: 'Storage root directory (images, containers)', global: true },
  runroot: { type: 'string', coerce: lastWins, describe: 'Directory for volatile state (sockets, locks)', global: true },
  'storage-driver': { type: 'string', coerce: lastWins, describe: 'Root filesystem driver: overlay, fuse-overlayfs or vfs', global: true },
  'log-level': { type: 'string', coerce: logLevel, describe: `Log messages at this level or above (${LOG_LEVELS.join(', ')}); debug and trace show an error's stack`, global: true, default: 'warn' },
  color: { type: 'boolean', describe: 'Use colours on a terminal (--no-color: never)', global: true, default: true },
  out: { type: 'string', coerce: lastWins, describe: "Write husk's own output (not a container's) to this file", global: true },
  noout: { type: 'boolean', describe: "Discard husk's own output (not a container's)", global: true },
  // podman's engine settings that have no counterpart in husk.
  'cgroup-manager': ignoredFlag('cgroup-manager', 'string', 'husk places containers in cgroups itself (cgroupfs, or the delegated subtree systemd gives the user)', { global: true }),
  conmon: ignoredFlag('conmon', 'string', 'every container has husk\'s own monitor', { global: true }),
  'events-backend': ignoredFlag('events-backend', 'string', 'husk keeps its events in a file of its store', { global: true }),
  runtime: ignoredFlag('runtime', 'string', 'husk runs containers itself, without an OCI runtime binary', { global: true }),
  'runtime-flag': ignoredFlag('runtime-flag', 'string', 'husk runs containers itself, without an OCI runtime binary', { global: true }),
  'storage-opt': ignoredFlag('storage-opt', 'string', 'husk\'s storage drivers take no options', { global: true }),
  tmpdir: ignoredFlag('tmpdir', 'string', 'husk keeps volatile state under --runroot', { global: true }),
  syslog: ignoredFlag('syslog', 'boolean', 'husk logs to stderr only', { global: true }),
  module: ignoredFlag('module', 'string', 'husk reads no containers.conf', { global: true }),
  'network-cmd-path': ignoredFlag('network-cmd-path', 'string', 'husk finds pasta and slirp4netns on PATH', { global: true }),
  ssh: ignoredFlag('ssh', 'string', NO_SERVICE, { global: true }),
  'cdi-spec-dir': refusedFlag('cdi-spec-dir', 'string', 'husk does not resolve CDI devices; give --device a device path', { global: true }),
  'hooks-dir': refusedFlag('hooks-dir', 'string', 'husk runs no OCI hooks', { global: true }),
  imagestore: refusedFlag('imagestore', 'string', 'images live in the store of --root', { global: true }),
  'network-config-dir': refusedFlag('network-config-dir', 'string', 'networks live in the store of --root', { global: true }),
  volumepath: refusedFlag('volumepath', 'string', 'volumes live in the store of --root', { global: true }),
  'transient-store': refusedFlag('transient-store', 'boolean', 'husk keeps container records in the store of --root', { global: true }),
  namespace: refusedFlag('namespace', 'string', 'husk has no libpod namespaces', { global: true }),
  config: refusedFlag('config', 'string', 'give pull, push and login --authfile instead', { global: true }),
  connection: refusedFlag('connection', 'string', NO_SERVICE, { global: true }),
  url: refusedFlag('url', 'string', NO_SERVICE, { global: true }),
  remote: refusedFlag('remote', 'boolean', NO_SERVICE, { global: true }),
  identity: refusedFlag('identity', 'string', NO_SERVICE, { global: true }),
  'tls-ca': refusedFlag('tls-ca', 'string', NO_SERVICE, { global: true }),
  'tls-cert': refusedFlag('tls-cert', 'string', NO_SERVICE, { global: true }),
  'tls-key': refusedFlag('tls-key', 'string', NO_SERVICE, { global: true }),
  'tls-details': refusedFlag('tls-details', 'string', NO_SERVICE, { global: true }),
};

/** podman's -r (--remote) and -c NAME (--connection) before the command word. */
export const GLOBAL_SHORTHANDS: Record<string, string> = { '-r': 'remote', '-c': 'connection' };

/** What the global options change for the whole command: where its output goes, how much an error says. */
export function applyGlobalOptions(values: Record<string, unknown>): void {
  if (values['log-level'] === 'debug' || values['log-level'] === 'trace') process.env.HUSK_DEBUG ??= '1';
  if (values.noout === true) redirectOutput('/dev/null');
  else if (typeof values.out === 'string') redirectOutput(values.out);
}

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
