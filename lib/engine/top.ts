// `top`: the processes of a container, found by their pid namespace, with
// ps-style columns as podman's format descriptors name them. Pids, users
// and groups are shown as the container sees them.
import fs from 'node:fs';
import { ImageStore } from '../image/store.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import { parseGroup, parsePasswd, readLayeredFile } from '../runtime/user.js';
import type { Context } from '../core/context.js';
import { ConflictError, UsageError } from '../core/errors.js';

export const DEFAULT_DESCRIPTORS = ['user', 'pid', 'ppid', 'pcpu', 'etime', 'tty', 'time', 'args'];

const HEADERS: Record<string, string> = {
  user: 'USER', huser: 'HUSER', group: 'GROUP', hgroup: 'HGROUP', pid: 'PID', hpid: 'HPID', ppid: 'PPID',
  pcpu: '%CPU', etime: 'ELAPSED', time: 'TIME', tty: 'TTY', args: 'COMMAND', comm: 'COMMAND',
  nice: 'NI', vsz: 'VSZ', rss: 'RSS', state: 'STATE',
};

/** ps-style aliases podman and docker users type. */
const ALIASES: Record<string, string> = { uid: 'user', '%cpu': 'pcpu', cmd: 'args', command: 'args', stat: 'state', s: 'state' };

export function parseDescriptors(words: string[]): string[] {
  if (words.length === 0) return DEFAULT_DESCRIPTORS;
  // `husk top CTR -ef` or `aux`, ps options as docker users pass them: the default columns.
  if (words.length === 1 && /^(-[a-zA-Z]+|[auxefwlj]+)$/.test(words[0]!) && !(words[0]! in HEADERS)) return DEFAULT_DESCRIPTORS;
  return words.flatMap((w) => w.split(',')).filter(Boolean).map((w) => {
    const d = ALIASES[w.toLowerCase()] ?? w.toLowerCase();
    if (!(d in HEADERS)) throw new UsageError(`unknown top descriptor "${w}": use ${Object.keys(HEADERS).join(', ')}`);
    return d;
  });
}

interface Proc {
  hostPid: number;
  stat: string[]; // fields after the command name
  comm: string;
  status: Record<string, string>;
  cmdline: string[];
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const status = Object.fromEntries(
      fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((x, i, a) => x !== '' || i < a.length - 1);
    return { hostPid: pid, stat: stat.slice(close + 2).split(' '), comm: stat.slice(stat.indexOf('(') + 1, close), status, cmdline };
  } catch {
    return undefined;
  }
}

/** The last number of NSpid: the pid in the innermost (the container's) namespace. */
const nsPid = (p: Proc) => Number((p.status.NSpid ?? String(p.hostPid)).split(/\s+/).pop());

export function topContainer(ctx: Context, view: ContainerView, descriptors: string[]): string[][] {
  if (view.status !== 'running' || !view.state || !isAlive(view.state)) {
    throw new ConflictError(`top can only be used on running containers: ${view.record.name} is ${view.status}`);
  }
  const init = view.state.pid;
  const ns = fs.readlinkSync(`/proc/${init}/ns/pid`);
  const procs = fs
    .readdirSync('/proc')
    .filter((f) => /^\d+$/.test(f))
    .flatMap((f) => {
      try {
        return fs.readlinkSync(`/proc/${f}/ns/pid`) === ns ? [Number(f)] : [];
      } catch {
        return [];
      }
    })
    .map(readProc)
    .filter((p): p is Proc => p !== undefined)
    .sort((a, b) => nsPid(a) - nsPid(b));
  const byHost = new Map(procs.map((p) => [p.hostPid, p]));
  const toContainer = idMapper(`/proc/${init}/uid_map`);
  const toContainerGid = idMapper(`/proc/${init}/gid_map`);
  const images = new ImageStore(ctx);
  const layers = [new ContainerStore(ctx).paths(view.record.id).upper, ...images.layerDirs(images.getImage(view.record.imageId)).reverse()];
  const users = new Map(parsePasswd(readLayeredFile(layers, 'etc/passwd')).map((u) => [u.uid, u.name]));
  const groups = new Map(parseGroup(readLayeredFile(layers, 'etc/group')).map((g) => [g.gid, g.name]));
  const ticks = 100; // USER_HZ
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const cell = (p: Proc, d: string): string => {
    const uid = Number(p.status.Uid?.split(/\s+/)[1] ?? 0);
    const gid = Number(p.status.Gid?.split(/\s+/)[1] ?? 0);
    const cpu = (Number(p.stat[11]) + Number(p.stat[12])) / ticks;
    const elapsed = uptime - Number(p.stat[19]) / ticks;
    switch (d) {
      case 'user': { const c = toContainer(uid); return users.get(c) ?? String(c); }
      case 'huser': return String(uid);
      case 'group': { const c = toContainerGid(gid); return groups.get(c) ?? String(c); }
      case 'hgroup': return String(gid);
      case 'pid': return String(nsPid(p));
      case 'hpid': return String(p.hostPid);
      case 'ppid': { const parent = byHost.get(Number(p.stat[1])); return parent ? String(nsPid(parent)) : '0'; }
      case 'pcpu': return (elapsed > 0 ? (100 * cpu) / elapsed : 0).toFixed(3);
      case 'etime': return duration(elapsed);
      case 'time': return clock(cpu);
      case 'tty': return Number(p.stat[4]) === 0 ? '?' : `pts/${Number(p.stat[4]) & 0xff}`;
      case 'args': return p.cmdline.length ? p.cmdline.join(' ') : `[${p.comm}]`;
      case 'comm': return p.comm;
      case 'nice': return p.stat[16] ?? '0';
      case 'vsz': return String(Math.round(Number(p.stat[20]) / 1024));
      case 'rss': return String(Number(p.stat[21]) * 4);
      case 'state': return p.stat[0] ?? '?';
      default: return '';
    }
  };
  return [descriptors.map((d) => HEADERS[d]!), ...procs.map((p) => descriptors.map((d) => cell(p, d)))];
}

/** Host ids to the container's through a uid_map/gid_map ("inside outside count" lines). */
function idMapper(file: string): (host: number) => number {
  let lines: number[][] = [];
  try {
    lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  } catch {
    /* no user namespace: the same ids */
  }
  return (host) => {
    for (const [inside, outside, count] of lines) if (host >= outside! && host < outside! + count!) return inside! + (host - outside!);
    return host;
  };
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0'));
  return d > 0 ? `${d}-${hms.join(':')}` : s >= 3600 ? hms.join(':') : hms.slice(1).join(':');
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}
