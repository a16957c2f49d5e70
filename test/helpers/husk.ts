// The integration-test harness: runs the real `husk` command line, as root and
// as an unprivileged user, against throw-away storage.
//
//   for (const mode of modes()) t.test(mode, async (t) => {
//     const h = await newHusk(mode);
//     t.teardown(() => h.cleanup());
//     await h.importBusybox();
//     const r = await h.run(['run', '--rm', 'busybox', 'echo', 'hi']);
//   });
//
// Every husk invocation gets --root/--runroot (and XDG_* variables) inside a
// fresh temp dir, so tests never touch a real store. The rootless user is
// `husktest`, created by test/setup.mjs, when the tests run as root; otherwise
// the current user.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { treeEntries } from './files.js';

export type Mode = 'root' | 'rootless';

export interface Result {
  /** Exit status; 128+signal number when husk itself died of a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to husk's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Killed (whole process group) after this long; default 60 s. */
  timeoutMs?: number;
  /** Extra environment variables for husk. */
  env?: Record<string, string>;
}

export interface Setup {
  huskRoot: string;
  node: string;
  rootlessUser: string | null;
  probe: string;
  /** test/fixtures/hostile-probe.c, compiled static. */
  hostileProbe: string;
  /** test/fixtures/seccomp-dump.c: a process's seccomp filters and libseccomp's syscall names. */
  seccompDump: string;
  /** test/fixtures/udp-echo.c, compiled static: a UDP server for busybox images. */
  udpEcho: string;
  /** test/fixtures/sd-notify.c, compiled static: sd_notify's sender, and a NOTIFY_SOCKET listener. */
  sdNotify: string;
  busyboxTar: string;
  repo: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const isRoot = process.getuid?.() === 0;

let setupCache: Setup | undefined;
/** Runs test/setup.mjs (idempotent, fast when done) once per process and returns its record. */
export function setup(): Setup {
  if (!setupCache) {
    execFileSync('env', ['-i', `PATH=${PATH}`, process.execPath, path.join(repo, 'test', 'setup.mjs')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const dir = isRoot ? '/tmp/husk-test-fixtures' : `/tmp/husk-test-fixtures-${process.getuid?.()}`;
    const record = `setup-${createHash('sha256').update(repo).digest('hex').slice(0, 12)}.json`; // as test/setup.mjs names it
    setupCache = JSON.parse(fs.readFileSync(path.join(dir, record), 'utf8')) as Setup;
  }
  return setupCache;
}

/** Where the fixtures are (probe binaries, busybox tarball). */
export const fixtures = {
  get hostileProbe() {
    return setup().hostileProbe;
  },
  get seccompDump() {
    return setup().seccompDump;
  },
  get udpEcho() {
    return setup().udpEcho;
  },
  get sdNotify() {
    return setup().sdNotify;
  },
  get busyboxTar() {
    return setup().busyboxTar;
  },
  get probe() {
    return setup().probe;
  },
};

/**
 * The modes to run each integration test in: root and rootless when the tests
 * run as root, rootless only otherwise. HUSK_TEST_MODES=root (or rootless)
 * narrows the list for debugging.
 */
export function modes(): Mode[] {
  const all: Mode[] = isRoot ? ['root', 'rootless'] : ['rootless'];
  const only = process.env.HUSK_TEST_MODES?.split(',').map((s) => s.trim());
  return only ? all.filter((m) => only.includes(m)) : all;
}

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { PATH, LANG: 'C.UTF-8' };
  for (const k of ['HOME', 'USER', 'LOGNAME', 'TMPDIR']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SubidRange {
  start: number;
  count: number;
}

interface SubidsModule {
  firstRange(text: string, user: string, uid: number): SubidRange | undefined;
}
const subidsSpec = '../fixtures/subids.mjs'; // a variable: the .mjs has no type declarations
const { firstRange } = (await import(subidsSpec)) as SubidsModule;

/**
 * The subordinate ranges of the user rootless husk runs as (husktest, or
 * this user when the tests do not run as root), as /etc/subuid and
 * /etc/subgid give them: rootless husk maps container ids 1.. onto their
 * first ranges. Read, not assumed: the range depends on the machine.
 */
export function subordinateRanges(): { uid: SubidRange; gid: SubidRange } {
  const user = isRoot ? setup().rootlessUser : os.userInfo().username;
  if (!user) throw new Error('no rootless user: run node test/setup.mjs as root');
  const uid = isRoot ? userIds(user).uid : process.getuid!();
  const read = (file: string) => {
    const r = firstRange(fs.readFileSync(file, 'utf8'), user, uid);
    if (!r) throw new Error(`${user} has no subordinate range in ${file}: run node test/setup.mjs as root`);
    return r;
  };
  return { uid: read('/etc/subuid'), gid: read('/etc/subgid') };
}

function userIds(name: string): { uid: number; gid: number; home: string } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} missing: run node test/setup.mjs as root`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' };
}

export class Husk {
  readonly mode: Mode;
  /** The temp dir holding everything of this instance (0700, owned by the husk user). */
  readonly dir: string;
  readonly root: string;
  readonly runroot: string;
  /** Uid/gid husk runs as. */
  readonly uid: number;
  readonly gid: number;
  /** User husk runs as through runuser, or null when it runs as this process's user. */
  readonly user: string | null;
  private readonly env: Record<string, string>;
  private readonly setup: Setup;
  private readonly children = new Set<ChildProcess>();

  constructor(mode: Mode) {
    this.mode = mode;
    this.setup = setup();
    if (mode === 'root' && !isRoot) throw new Error('root mode needs the tests to run as root');
    // Short path: runroot + 80 characters must fit a unix socket path (108 bytes).
    this.dir = fs.mkdtempSync('/tmp/ht-');
    this.root = path.join(this.dir, 'root');
    this.runroot = path.join(this.dir, 'run');
    const xdgRuntime = path.join(this.dir, 'xdg');
    for (const d of [this.root, this.runroot, xdgRuntime, path.join(this.dir, 'data'), path.join(this.dir, 'config'), path.join(this.dir, 'files')])
      fs.mkdirSync(d, { mode: 0o700 });

    if (mode === 'rootless' && isRoot) {
      const user = this.setup.rootlessUser;
      if (!user) throw new Error('no rootless user: run node test/setup.mjs as root');
      const ids = userIds(user);
      this.user = user;
      this.uid = ids.uid;
      this.gid = ids.gid;
      for (const d of ['', 'root', 'run', 'xdg', 'data', 'config', 'files'])
        fs.chownSync(path.join(this.dir, d), ids.uid, ids.gid);
      this.env = {
        PATH,
        LANG: 'C.UTF-8',
        HOME: ids.home,
        USER: user,
        LOGNAME: user,
        XDG_RUNTIME_DIR: xdgRuntime,
        XDG_DATA_HOME: path.join(this.dir, 'data'),
        XDG_CONFIG_HOME: path.join(this.dir, 'config'),
      };
    } else {
      this.user = null;
      this.uid = process.getuid?.() ?? 0;
      this.gid = process.getgid?.() ?? 0;
      this.env =
        mode === 'root'
          ? cleanEnv({ HOME: process.env.HOME ?? '/root' })
          : cleanEnv({
              XDG_RUNTIME_DIR: xdgRuntime,
              XDG_DATA_HOME: path.join(this.dir, 'data'),
              XDG_CONFIG_HOME: path.join(this.dir, 'config'),
            });
    }
  }

  /** bin/husk of the husk these tests run (the checkout, or its copy the rootless user can read). */
  get bin(): string {
    return path.join(this.setup.huskRoot, 'bin', 'husk');
  }

  /** The husk command line (program + args) for the given husk arguments. */
  argv(args: string[]): string[] {
    // Run bin/husk itself, as a user does (its #! line matters: Node 20 reads
    // `--env-file` anywhere in its argv unless told `--`), when the node it
    // finds through PATH is the one setup chose; else name node explicitly.
    const bin = path.join(this.setup.huskRoot, 'bin', 'husk');
    const direct = PATH.split(':').includes(path.dirname(this.setup.node));
    return [
      ...(direct ? [bin] : [this.setup.node, bin]),
      '--root',
      this.root,
      '--runroot',
      this.runroot,
      ...args,
    ];
  }

  /** Program, arguments and environment to spawn `argv` as the husk user. */
  private command(argv: string[], extraEnv: Record<string, string> = {}) {
    const env = { ...this.env, ...extraEnv };
    if (this.user) {
      const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
      return {
        file: 'runuser',
        args: ['-u', this.user, '--', 'env', '-i', ...pairs, ...argv],
        env: { PATH },
      };
    }
    // Through `env -i` as well: tap's processinfo plugin patches child_process
    // to inject NODE_OPTIONS (its loaders) even into an explicit env.
    const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    return { file: 'env', args: ['-i', ...pairs, ...argv], env: { PATH } };
  }

  /** Starts husk and returns the child (pipes for stdio); for long-running or interactive use. */
  spawn(args: string[], opts: { env?: Record<string, string> } = {}): ChildProcess {
    return this.spawnArgv(this.argv(args), opts.env);
  }

  private spawnArgv(argv: string[], env?: Record<string, string>): ChildProcess {
    const c = this.command(argv, env);
    const child = spawn(c.file, c.args, {
      env: c.env,
      cwd: this.dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout can kill all of it
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Runs husk to completion. */
  run(args: string[], opts: RunOptions = {}): Promise<Result> {
    return this.runArgv(this.argv(args), opts);
  }

  /** run, which must succeed: otherwise it throws with husk's exit code and stderr. */
  async ok(args: string[], opts: RunOptions = {}): Promise<Result> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`husk ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}\n${r.stdout}`);
    return r;
  }

  /**
   * Runs husk under a pseudo-terminal made by script(1), as a user at a
   * terminal would (24 rows, 80 columns unless given). Output has \r\n line
   * ends (\r\r\n when husk leaves the outer terminal in cooked mode, as
   * docker does without -i).
   */
  runTty(args: string[], opts: RunOptions & { rows?: number; cols?: number } = {}): Promise<Result> {
    // script(1) without a terminal of its own gives a 0x0 window; set a real size.
    const size = `stty rows ${opts.rows ?? 24} cols ${opts.cols ?? 80} 2>/dev/null; exec `;
    const cmdline = size + this.argv(args).map(shQuote).join(' ');
    return this.runArgv(['script', '-qec', cmdline, '/dev/null'], opts);
  }

  /** The husk command line for `args`, quoted for a shell script (see runShell). */
  commandLine(args: string[]): string {
    return this.argv(args).map(shQuote).join(' ');
  }

  /**
   * Runs a shell script as the husk user, with husk's environment, in this
   * instance's dir: for husk started with what run() cannot give it, such as
   * stdin redirected from a directory or an extra fd left open
   * (`exec ${h.commandLine([...])} 7<files`).
   */
  runShell(script: string, opts: RunOptions = {}): Promise<Result> {
    return this.runArgv(['sh', '-c', script], opts);
  }

  /** Starts a shell script as the husk user in the background (its own process group; cleanup kills it). */
  spawnShell(script: string): ChildProcess {
    return this.spawnArgv(['sh', '-c', script]);
  }

  /**
   * Starts a shell script under a pseudo-terminal made by script(1) (24 rows,
   * 80 columns), as the husk user; what is written to the child's stdin is
   * typed at that terminal, whenever the test chooses.
   */
  spawnShellTty(script: string): ChildProcess {
    return this.spawnArgv(['script', '-qec', `stty rows 24 cols 80 2>/dev/null; ${script}`, '/dev/null']);
  }

  private runArgv(argv: string[], opts: RunOptions): Promise<Result> {
    const child = this.spawnArgv(argv, opts.env);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (b: Buffer) => out.push(b));
      child.stderr!.on('data', (b: Buffer) => err.push(b));
      child.stdin!.on('error', () => {
        /* husk may exit without reading its stdin */
      });
      if (opts.input !== undefined) child.stdin!.end(opts.input);
      else child.stdin!.end();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) {
          reject(
            new Error(
              `husk ${argv.slice(2).join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
            ),
          );
          return;
        }
        const signo = signal ? os.constants.signals[signal] : 0;
        resolve({ code: code ?? 128 + signo, stdout, stderr });
      });
    });
  }

  /**
   * Runs `husk ARGS | READER` in bash (a real pipe, as a user's shell makes
   * it; node's own 'pipe' is a socket pair, which reports a reader gone
   * differently): husk's exit status and stderr, and what the reader
   * printed. The reader may stop reading early (`head -1`).
   */
  async runPiped(args: string[], reader: string, opts: { timeoutMs?: number } = {}): Promise<Result & { readerOut: string }> {
    const script = '"${@:2}" | sh -c "$1"; exit "${PIPESTATUS[0]}"';
    const r = await this.runArgv(['bash', '-c', script, 'bash', reader, ...this.argv(args)], { timeoutMs: opts.timeoutMs ?? 30_000 });
    return { code: r.code, stdout: '', stderr: r.stderr, readerOut: r.stdout };
  }

  /** Imports the busybox fixture as busybox:latest (default CMD ["sh"]). */
  async importBusybox(changes: string[] = ['CMD ["sh"]'], name = 'busybox:latest'): Promise<void> {
    const r = await this.run(['import', ...changes.flatMap((c) => ['--change', c]), this.setup.busyboxTar, name]);
    if (r.code !== 0) throw new Error(`husk import failed (exit ${r.code}): ${r.stderr.trim()}`);
  }

  /** Writes a file the husk user can read (in this instance's temp dir); returns its path. */
  writeFile(name: string, content: string | Buffer): string {
    const p = path.join(this.dir, 'files', name);
    fs.writeFileSync(p, content, { mode: 0o644 });
    if (this.user) fs.chownSync(p, this.uid, this.gid);
    return p;
  }

  /** Ids of all containers (`ps -a -q --no-trunc` falls back to `ps -a -q`). */
  async containerIds(): Promise<string[]> {
    const r = await this.run(['ps', '-a', '-q'], { timeoutMs: 30_000 });
    return r.code === 0 ? r.stdout.split(/\s+/).filter(Boolean) : [];
  }

  /**
   * Every path under root and runroot (relative, sorted), lock files left out:
   * to check that a failed command left nothing behind.
   */
  listStore(): string[] {
    const unlocked = (_: string, e: fs.Dirent) => !/lock/i.test(e.name);
    const under = (dir: string, as: string) =>
      [...treeEntries(dir, unlocked)].filter(([, e]) => unlocked('', e)).map(([p]) => path.join(as, path.relative(dir, p)));
    return [...under(this.root, 'root'), ...under(this.runroot, 'run')].sort();
  }

  /** Host pids of processes whose command line mentions `needle`. */
  static pidsMatching(needle: string): number[] {
    const pids: number[] = [];
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (cmd.includes(needle)) pids.push(Number(e));
      } catch {
        /* gone */
      }
    }
    return pids;
  }

  /**
   * Host pids of processes whose whole command line is exactly `argv` (e.g.
   * ['sleep', '1234567']): a container's process, not the husk command that
   * started it (whose command line merely contains the same words).
   */
  static pidsOf(...argv: string[]): number[] {
    const want = argv.join('\0') + '\0';
    const pids: number[] = [];
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8') === want) pids.push(Number(e));
      } catch {
        /* gone */
      }
    }
    return pids;
  }

  /**
   * Host pids of a container's monitor (`husk-monitor --id ID`) and of the
   * `husk container cleanup ID` it starts once the container has exited, which
   * applies the restart policy (and, to restart, starts a new monitor before
   * it ends). When none is left, nothing more happens to the container by
   * itself: an exit has been recorded and no restart is on its way. `id` is
   * the full id.
   */
  static monitorPids(id: string): number[] {
    return [...Husk.pidsMatching(`--id ${id} `), ...Husk.pidsMatching(`container cleanup ${id}`)];
  }

  /** The last `beat N` (see HEARTBEAT) in a container's log; 0 before the first. */
  async lastBeat(container: string): Promise<number> {
    const r = await this.run(['logs', container], { timeoutMs: 30_000 });
    return Math.max(0, ...[...r.stdout.matchAll(/^beat (\d+)$/gm)].map((m) => Number(m[1])));
  }

  /**
   * Waits until a container running HEARTBEAT has beaten `n` more times than
   * when called: it went on running (and no signal stopped its loop) for a
   * while after whatever the test did before the call. True when it did in time.
   */
  async beatsOn(container: string, n = 5, timeoutMs = 30_000): Promise<boolean> {
    const from = await this.lastBeat(container);
    return !!(await waitFor(async () => (await this.lastBeat(container)) >= from + n, timeoutMs, 200));
  }

  /** Removes every container, then everything this instance created. */
  async cleanup(): Promise<void> {
    for (const c of this.children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      const ids = await this.containerIds();
      if (ids.length) await this.run(['rm', '-f', ...ids], { timeoutMs: 60_000 });
    } catch {
      /* husk may be missing or broken; clean up by force below */
    }
    // Whatever husk left running for this store (monitors, fuse-overlayfs, ...).
    for (const pid of Husk.pidsMatching(this.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone, or not ours to kill */
      }
    }
    if (isRoot) {
      const mounts = fs
        .readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[4] ?? '')
        .filter((m) => m === this.dir || m.startsWith(this.dir + '/'))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    }
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // Rootless stores hold files owned by subordinate ids: remove them from
      // inside a user namespace with the same mapping.
      spawnSync('unshare', ['--map-root-user', '--map-auto', 'rm', '-rf', this.dir], { stdio: 'ignore' });
      spawnSync('unshare', ['--map-auto', '--map-user=0', '--map-group=0', 'rm', '-rf', this.dir], { stdio: 'ignore' });
    }
  }
}

/** A fresh husk with its own storage, as root or rootless. */
export async function newHusk(mode: Mode): Promise<Husk> {
  return new Husk(mode);
}

/**
 * A shell loop for a container's command (`sh -c HEARTBEAT`, or after other
 * commands): `beat 1`, `beat 2`, ... on its stdout, so in its log, about one
 * every 0.1 s. A sign of life to wait on (Husk.beatsOn) where a fixed sleep
 * could only hope that whatever would stop the container has had its chance.
 */
export const HEARTBEAT = 'i=0; while :; do i=$((i+1)); echo beat $i; sleep 0.1; done';

/** Lines of a text, without the trailing empty one. */
export function lines(s: string): string[] {
  const l = s.replace(/\r\n/g, '\n').split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** Parses the probe's JSON output (the last line of stdout that looks like an object). */
export function parseProbe(stdout: string): Probe {
  const line = lines(stdout)
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no probe output in: ${JSON.stringify(stdout)}`);
  return JSON.parse(line) as Probe;
}

export interface Probe {
  pid: number;
  ppid: number;
  hostname: string | null;
  uidMap: string | null;
  gidMap: string | null;
  capEff: string | null;
  capPrm: string | null;
  capBnd: string | null;
  seccomp: number | null;
  noNewPrivs: boolean | null;
  openFds: number[] | null;
  kcoreReadable: boolean;
  procSysWritable: boolean;
  visiblePids: number;
  rootWritable: boolean;
  dotdotStaysInside: boolean | null;
  netIfaces: string[] | null;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  groups: number[] | null;
  cwd: string | null;
  stdinTty: boolean;
}

/** Parses a /proc uid_map/gid_map text into [inside, outside, count] triples. */
export function parseIdMap(text: string | null): Array<[number, number, number]> {
  return lines(text ?? '')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3)
    .map((f) => [f[0]!, f[1]!, f[2]!]);
}

/** Capability numbers (from linux/capability.h) for CapEff checks. */
export const CAP = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  FOWNER: 3,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  NET_BIND_SERVICE: 10,
  NET_ADMIN: 12,
  NET_RAW: 13,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  SYS_ADMIN: 21,
  SYS_BOOT: 22,
  SYS_TIME: 25,
  MKNOD: 27,
} as const;

/** True when capability `n` is set in the hex mask `hex` (as in /proc/self/status). */
export function hasCap(hex: string | null, n: number): boolean {
  if (!hex) return false;
  return ((BigInt('0x' + hex) >> BigInt(n)) & 1n) === 1n;
}

/** Number of capabilities set in a hex mask. */
export function capCount(hex: string | null): number {
  if (!hex) return 0;
  let v = BigInt('0x' + hex);
  let n = 0;
  while (v) {
    n += Number(v & 1n);
    v >>= 1n;
  }
  return n;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!v && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await fn();
  }
  return v;
}
