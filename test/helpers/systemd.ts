// What 250-systemd needs of systemd without a running one: the command lines
// of a unit file read as systemd reads them (its own small reader, not
// husk's), `systemd-analyze verify` as the unit's manager would run it, and
// a NOTIFY_SOCKET that records what arrives (test/fixtures/sd-notify.c).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fixtures, waitFor, type Husk } from './husk.js';

export interface ServiceCommand {
  /** "-" prefix: a failure is ignored. */
  ignoreFailure: boolean;
  argv: string[];
}

/** The specifiers a test's stand-in manager expands: %t (its runtime directory), %n, %N, %%. */
export interface Specifiers {
  runtimeDir: string;
  unit: string;
}

/** Every `key=` command line of [Service], continuation lines joined, split and expanded as systemd does. */
export function serviceCommands(text: string, key: string, spec: Specifiers): ServiceCommand[] {
  const joined = text.replace(/\\\n/g, ' ');
  let section = '';
  const out: ServiceCommand[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) section = line;
    if (section !== '[Service]' || !line.startsWith(`${key}=`)) continue;
    let value = line.slice(key.length + 1);
    let ignoreFailure = false;
    while (/^[-@:+!]/.test(value)) {
      if (value[0] === '-') ignoreFailure = true;
      value = value.slice(1);
    }
    out.push({ ignoreFailure, argv: words(value).map((w) => expand(w, spec)) });
  }
  return out;
}

/** The last value of a [Service] or [Unit] key. */
export function unitValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  let value: string | undefined;
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) current = line.slice(1, -1);
    else if (current === section && line.startsWith(`${key}=`)) value = line.slice(key.length + 1);
  }
  return value;
}

function words(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (/\s/.test(s[i] ?? '')) i++;
    if (i >= s.length) break;
    let w = '';
    while (i < s.length && !/\s/.test(s[i]!)) {
      const c = s[i]!;
      if (c === '"' || c === "'") {
        i++;
        while (i < s.length && s[i] !== c) {
          if (c === '"' && s[i] === '\\') {
            const n = s[++i]!;
            w += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          } else w += s[i];
          i++;
        }
        i++;
      } else {
        w += c === '\\' ? s[++i]! : c;
        i++;
      }
    }
    out.push(w);
  }
  return out;
}

function expand(word: string, spec: Specifiers): string {
  const withoutSuffix = spec.unit.replace(/\.service$/, '');
  return word
    .replace(/%([%tnN])/g, (_, c: string) => (c === '%' ? '%' : c === 't' ? spec.runtimeDir : c === 'n' ? spec.unit : withoutSuffix))
    .replace(/\$\$/g, '$');
}

/** A command line for sh -c. */
export function shellLine(argv: string[]): string {
  return argv.map((s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * `systemd-analyze verify` of unit files, as their manager would load them:
 * the system manager's as root, the user's (`--user`, as the husk user with
 * its XDG_RUNTIME_DIR) rootless. No manager needs to run.
 */
export function verifyUnits(h: Husk, files: string[]): { code: number; output: string } {
  const args = h.mode === 'root' ? ['verify', ...files] : ['--user', 'verify', ...files];
  const r =
    h.user === null
      ? spawnSync('systemd-analyze', args, { encoding: 'utf8' })
      : spawnSync('runuser', ['-u', h.user, '--', 'env', '-i', 'PATH=/usr/bin:/bin', `HOME=${h.dir}`, `XDG_RUNTIME_DIR=${path.join(h.dir, 'xdg')}`, 'systemd-analyze', ...args], { encoding: 'utf8' });
  return { code: r.status ?? 128, output: `${r.stdout}${r.stderr}` };
}

export const systemdAnalyzeMissing = () => (spawnSync('systemd-analyze', ['--version']).status === 0 ? undefined : 'systemd-analyze is not installed (apt install systemd)');

export interface NotifyMessage {
  pid: number;
  uid: number;
  message: string;
}

/** A NOTIFY_SOCKET in the husk instance's directory (reachable by its user), recording every datagram with its sender. */
export class NotifyListener {
  readonly socket: string;
  private readonly child: ChildProcess;
  private buffered = '';
  readonly messages: NotifyMessage[] = [];

  private constructor(socket: string) {
    this.socket = socket;
    this.child = spawn(fixtures.sdNotify, ['listen', socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buffered += d;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(this.buffered.slice(0, nl)) as NotifyMessage & { listening?: boolean };
        this.buffered = this.buffered.slice(nl + 1);
        if (!line.listening) this.messages.push(line);
      }
    });
  }

  static async start(h: Husk, name = 'notify.sock'): Promise<NotifyListener> {
    const l = new NotifyListener(path.join(h.dir, name));
    if (!(await waitFor(() => fs.existsSync(l.socket), 10_000, 20))) throw new Error('the NOTIFY_SOCKET listener did not start');
    return l;
  }

  /** Waits for a message matching `test`; undefined when none came in time. */
  async next(test: (m: NotifyMessage) => boolean, timeoutMs = 15_000): Promise<NotifyMessage | undefined> {
    return waitFor(() => this.messages.find(test), timeoutMs, 20);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
