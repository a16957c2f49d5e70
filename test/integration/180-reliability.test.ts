// Reliability: many containers at once, and husk killed halfway through.
//
// 1. 20 parallel `run -d`, then 20 parallel `rm -f`: nothing left behind (no
//    container, process, monitor, mount, file or held lock), and the container
//    that was there before is untouched.
// 2. The husk process killed with SIGKILL at many points of create, run -d,
//    start, rm -f and a foreground run --rm: `ps -a` must tell the truth about
//    what is left (Up exactly when the container's process runs), and `rm -f`
//    of everything listed must leave nothing behind.
//
// The kill points: every phase that HUSK_TRACE=1 reports (the kill comes as
// soon as the phase's line arrives on stderr, so it lands right after it
// whatever the speed of the machine), the moments a new container's directory,
// container.json, config.json and state.json appear (inotify), for rm the
// moment container.json is unlinked, and a few fixed and random delays after
// the spawn. Only the husk process itself is killed (as `kill -9 PID` would),
// not what it forked.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Husk, lines, modes, newHusk, waitFor, type Result } from '../helpers/husk.js';
import { treeEntries } from '../helpers/files.js';

const unique = () => String(1_000_000 + Math.floor(Math.random() * 8_000_000));

function readProc(pid: number, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** "pid (comm, NSpid ...): command line", for messages about leftover processes. */
function describeProcess(pid: number): string {
  const nspid = /^NSpid:\s*(.*)$/m.exec(readProc(pid, 'status'))?.[1]?.trim() ?? '?';
  const cmd = readProc(pid, 'cmdline').replace(/\0/g, ' ').trim();
  return `${pid} (${readProc(pid, 'comm').trim()}, NSpid ${nspid}): ${cmd.length > 300 ? cmd.slice(0, 300) + '...' : cmd}`;
}

/** Direct children of a process. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) out.push(...readProc(pid, `task/${task}/children`).split(/\s+/).filter(Boolean).map(Number));
  return out;
}

/** Mount points in this (the host's) mount namespace at or under `dir`. */
function hostMountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(dir + '/'));
}

/**
 * Mounts in any mount namespace on the machine (rootless containers mount in
 * their own) whose mountinfo line mentions one of `needles`: "pid: line".
 */
function mountsMentioning(needles: string[]): string[] {
  const seen = new Set<string>();
  const hits: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let ns: string;
    try {
      ns = fs.readlinkSync(`/proc/${e}/ns/mnt`);
    } catch {
      continue;
    }
    if (seen.has(ns)) continue;
    seen.add(ns);
    for (const line of readProc(Number(e), 'mountinfo').split('\n')) {
      if (needles.some((n) => line.includes(n))) hits.push(`${e}: ${line}`);
    }
  }
  return hits;
}

/** Entries of a directory ([] when it does not exist). */
function ls(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every file or directory under `roots` that is a temp file of an atomic write or an unfinished extraction. */
function tmpFiles(...roots: string[]): string[] {
  const isTemp = (name: string) => /\.tmp$/.test(name) || /^\.tmp-/.test(name) || /\.tmp\./.test(name);
  return roots.flatMap((r) => [...treeEntries(r)].filter(([, e]) => isTemp(e.name)).map(([p]) => p));
}

/** What a container directory holds, for messages (two levels). */
function describeDir(dir: string): string {
  return ls(dir)
    .map((e) => {
      const sub = ls(path.join(dir, e));
      return sub.length ? `${e}/{${sub.join(',')}}` : e;
    })
    .join(' ');
}

interface Row {
  id: string;
  status: string;
  command: string;
}

const ROW_FORMAT = '{{.ID}}|{{.Status}}|{{.Command}}';
const SENSIBLE_STATUS = /^(Up .+|Created|Exited \(\d+\) .+|Stopped)$/;

function parseRows(stdout: string): Row[] {
  return lines(stdout).map((l) => {
    const [id = '', status = '', ...cmd] = l.split('|');
    return { id, status, command: cmd.join('|') };
  });
}

/** The container's own process, found by its whole command line (`sleep TAG`); other commands never run long. */
function processesOf(command: string): number[] {
  const argv = command.split(' ');
  return argv[0] === 'sleep' ? Husk.pidsOf(...argv) : [];
}

/**
 * When to kill: a delay after the spawn; as soon as a HUSK_TRACE line
 * arrives; when a container's record disappears (rm); when a new container
 * directory appears in `newDirIn`, or (with `file`) that file appears in it.
 */
type Trigger = { afterMs: number } | { marker: string } | { recordGone: string } | { newDirIn: string; file?: string };

interface KillReport {
  label: string;
  /** The kill came before husk ended on its own. */
  fired: boolean;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

const triggerLabel = (tr: Trigger) =>
  'afterMs' in tr
    ? `${tr.afterMs} ms after the spawn`
    : 'marker' in tr
      ? `at trace "${tr.marker}"`
      : 'recordGone' in tr
        ? 'as soon as container.json is unlinked'
        : tr.file
          ? `as soon as the new container's ${tr.file} appears`
          : 'as soon as the new container directory appears';

/**
 * Runs `husk args` and kills the husk process (node; not runuser, not what
 * husk forked) with SIGKILL when the trigger says so. Waits for it to end.
 */
async function killDuring(h: Husk, args: string[], trigger: Trigger): Promise<KillReport> {
  const label = `husk ${args.join(' ')}, SIGKILL ${triggerLabel(trigger)}`;
  const child: ChildProcess = h.spawn(args, { env: 'marker' in trigger ? { HUSK_TRACE: '1' } : {} });
  child.stdin!.on('error', () => {});
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  let fired = false;
  let exited = false;
  const kill = () => {
    if (fired || exited) return;
    fired = true;
    // Rootless, runuser is the child and husk (node) its child; as root, env has exec'd husk.
    const target = h.user ? childrenOf(child.pid!)[0] : child.pid!;
    try {
      if (target) process.kill(target, 'SIGKILL');
      else process.kill(-child.pid!, 'SIGKILL'); // runuser has not forked husk yet
    } catch {
      /* gone */
    }
  };
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
    if ('marker' in trigger && stderr.includes(` ${trigger.marker}\n`)) kill();
  });
  let timer: NodeJS.Timeout | undefined;
  const watchers: fs.FSWatcher[] = [];
  const watch = (dir: string, fn: (file: string) => void) => {
    try {
      const w = fs.watch(dir, (_event, file) => file && fn(String(file)));
      w.on('error', () => {});
      watchers.push(w);
    } catch {
      /* the directory is gone already */
    }
  };
  if ('afterMs' in trigger) timer = setTimeout(kill, trigger.afterMs);
  if ('recordGone' in trigger) {
    watch(trigger.recordGone, (file) => {
      if (file === 'container.json' && !fs.existsSync(path.join(trigger.recordGone, file))) kill();
    });
  }
  if ('newDirIn' in trigger) {
    const before = new Set(ls(trigger.newDirIn));
    const want = trigger.file;
    watch(trigger.newDirIn, (dir) => {
      if (!/^[0-9a-f]{64}$/.test(dir) || before.has(dir)) return;
      before.add(dir);
      if (!want) return kill();
      const full = path.join(trigger.newDirIn, dir);
      watch(full, (file) => file === want && kill());
      if (fs.existsSync(path.join(full, want))) kill(); // before the watch began
    });
  }
  const end = new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (code, signal) => {
      exited = true;
      r([code, signal]);
    }),
  );
  let hung = false;
  let hangTimer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((r) => (hangTimer = setTimeout(() => r('hang'), 60_000)));
  let result = await Promise.race([end, hang]);
  clearTimeout(hangTimer); // else the file runs on for the rest of the minute
  if (result === 'hang') {
    hung = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    result = await end;
  }
  if (timer) clearTimeout(timer);
  for (const w of watchers) w.close();
  // Whatever husk forked may hold its stdout/stderr; we have what we need.
  child.stdout!.destroy();
  child.stderr!.destroy();
  const [code, signal] = result;
  return { label, fired, code, signal, stdout, stderr, hung };
}

/** The phases HUSK_TRACE=1 reports for a command, in order (without the final "process: exit"). */
function traceLabels(stderr: string): string[] {
  const out: string[] = [];
  for (const l of lines(stderr)) {
    const m = /^husk-(?:trace|native) \S+ (.+)$/.exec(l);
    if (m && m[1] !== 'process: exit' && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

const DELAYS = [0, 40, 90, 130, 160, 190, 230, 300];
const randomDelays = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 400));

interface Attempt {
  label: string;
  tag: string;
  report: KillReport;
  /** Container directories that appeared during the killed command. */
  newDirs: string[];
  /** The container the command was about (start, rm). */
  target?: string;
}


/**
 * One husk of its own for a series of kills of the same kind: what it
 * checks after each kill, and the final clean-up check.
 */
class KillLab {
  readonly attempts: Attempt[] = [];
  readonly tags = new Set<string>();
  readonly containersDir: string;
  readonly runDir: string;
  /** Containers ps -a called Created while their process ran, with the kill that made them. */
  readonly createdButRunning: string[] = [];
  /** Container directories left after the final rm -f (store, runroot). */
  leftDirs: string[] = [];
  leftRunDirs: string[] = [];

  constructor(readonly h: Husk) {
    this.containersDir = path.join(h.root, 'containers');
    this.runDir = path.join(h.runroot, 'c');
  }

  tag(): string {
    const tag = unique();
    this.tags.add(tag);
    return tag;
  }

  async kill(args: string[], tag: string, trigger: Trigger, target?: string): Promise<Attempt> {
    const before = new Set(ls(this.containersDir));
    const report = await killDuring(this.h, args, trigger);
    const newDirs = ls(this.containersDir).filter((d) => !before.has(d));
    const attempt = { label: report.label, tag, report, newDirs, target };
    this.attempts.push(attempt);
    return attempt;
  }

  async rows(): Promise<{ r: Result; rows: Row[] }> {
    const r = await this.h.run(['ps', '-a', '--no-trunc', '--format', ROW_FORMAT], { timeoutMs: 60_000 });
    return { r, rows: parseRows(r.stdout) };
  }

  /**
   * The listed container of `tag` against its real process; and its process
   * not running unlisted. Only this one container: one found wrong is
   * reported once, by the kill that made it.
   */
  async mismatches(tag: string): Promise<{ r: Result; rows: Row[]; wrong: string[]; createdButRunning: string[] }> {
    const { r, rows } = await this.rows();
    const wrong: string[] = [];
    const createdButRunning: string[] = [];
    const mine = rows.filter((row) => row.command.split(' ').pop() === tag);
    for (const row of mine) {
      const running = processesOf(row.command).length > 0;
      if (/^Up/.test(row.status) === running) continue;
      const text = `${row.id.slice(0, 12)} "${row.command}" is "${row.status}" but its process ${running ? 'runs' : 'is gone'}`;
      (running && row.status === 'Created' ? createdButRunning : wrong).push(text);
    }
    const pids = Husk.pidsOf('sleep', tag);
    if (pids.length && !mine.length) wrong.push(`sleep ${tag} runs (pid ${pids.join(',')}) but no container of ps -a has it`);
    return { r, rows, wrong, createdButRunning };
  }

  /** ps -a after a kill: exits 0, parses, every status sensible and true. */
  async checkTruthful(t: Test, attempt: Attempt): Promise<void> {
    const what = `${attempt.label}${attempt.report.fired ? '' : ' (husk had finished first)'}`;
    t.notOk(attempt.report.hung, `${what}: husk ended (no hang)`);
    // A container may be between two states for a moment (a monitor recording an exit): look again before judging.
    // (Not for Created while running: with husk dead nothing changes that, but the container may end meanwhile.)
    let last = await this.mismatches(attempt.tag);
    const { createdButRunning } = last;
    if (last.r.code === 0 && last.wrong.length) {
      await waitFor(async () => {
        last = await this.mismatches(attempt.tag);
        return last.r.code !== 0 || !last.wrong.length;
      }, 2_000, 500);
    }
    const { r, rows, wrong } = last;
    t.equal(r.code, 0, `${what}: ps -a exits 0`, { stderr: r.stderr });
    const bad = rows.filter((row) => !/^[0-9a-f]{64}$/.test(row.id) || !SENSIBLE_STATUS.test(row.status));
    t.same(bad, [], `${what}: ps -a --format parses, every status is sensible`);
    t.same(wrong, [], `${what}: ps -a is truthful (Up exactly when the process runs)`, {
      newDirs: attempt.newDirs,
      huskStderr: attempt.report.stderr.slice(-2000),
    });
    this.createdButRunning.push(...createdButRunning.map((c) => `${c} (after: ${what})`));
  }

  /** Who made a leftover container directory. */
  private origin(dir: string): string {
    const made = this.attempts.find((x) => x.newDirs.includes(dir));
    if (made) return `made by: ${made.label}`;
    const target = this.attempts.find((x) => x.target === dir);
    return target ? `left by: ${target.label}` : 'made before the kills or by a setup step';
  }

  /** rm -f of everything ps -a lists, then: nothing of this husk may be left (the directories: checkNoDirs). */
  async checkCleanable(t: Test): Promise<void> {
    const h = this.h;
    const { r, rows } = await this.rows();
    t.equal(r.code, 0, 'ps -a exits 0');
    const removals = await Promise.all(
      rows.map((row) => h.run(['rm', '-f', row.id], { timeoutMs: 90_000 }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }))),
    );
    // A --rm container that ps -a listed as Exited may be removed by its own
    // cleanup before our rm -f looks it up; "no such container" is then the
    // truth (docker and podman say the same), and ps -a below must agree.
    const raced = (x: { stderr: string; status: string }) => /^Exited/.test(x.status) && /no such container/i.test(x.stderr);
    const failed = removals.map((x, i) => ({ id: rows[i]!.id, status: rows[i]!.status, ...x })).filter((x) => x.code !== 0 && !raced(x));
    t.same(failed, [], `rm -f of each of the ${rows.length} listed containers exits 0`);
    const after = await this.rows();
    t.same(after.rows, [], 'ps -a is empty afterwards');

    const running = () => [...this.tags].flatMap((tag) => Husk.pidsOf('sleep', tag));
    await waitFor(() => running().length === 0, 30_000, 250);
    t.same(running().map(describeProcess), [], 'no container process left');
    const ofStore = () => Husk.pidsMatching(h.dir);
    await waitFor(() => ofStore().length === 0, 30_000, 250);
    t.same(ofStore().map(describeProcess), [], 'no process of this store left (monitor, init, helper, husk)');

    this.leftDirs = ls(this.containersDir);
    this.leftRunDirs = ls(this.runDir);
    // Temp files inside a leftover container directory belong to that finding.
    const inLeftDir = (f: string) => this.leftDirs.some((d) => f.startsWith(path.join(this.containersDir, d) + '/'));
    t.same(tmpFiles(h.root, h.runroot).filter((f) => !inLeftDir(f)), [], 'no temp file left');
    t.same(hostMountsUnder(h.dir), [], 'no mount under the store (host mount namespace)');
    t.same(mountsMentioning([h.dir]), [], 'no mount of the store in any mount namespace');
    const probe = await h
      .run(['run', '--rm', 'busybox', 'true'], { timeoutMs: 60_000 })
      .catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    t.equal(probe.code, 0, 'no lock is held: run --rm busybox true completes', { stderr: probe.stderr });
  }

  /** After checkCleanable: no container directory left in the store or the runroot. */
  checkNoDirs(t: Test): void {
    t.same(
      this.leftDirs.map((d) => `${d}: ${this.origin(d)}; holds ${describeDir(path.join(this.containersDir, d))}`),
      [],
      "no container directory left in the store's containers/",
    );
    t.same(this.leftRunDirs, [], "no container directory left in the runroot's c/");
  }

  checkNoCreatedButRunning(t: Test): void {
    t.same(this.createdButRunning, [], 'no container was said to be Created while its process ran');
  }

  /** Kills whatever a failed check left running, so the next test starts clean. */
  killLeftovers(): void {
    for (const tag of this.tags) {
      for (const pid of Husk.pidsOf('sleep', tag)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }
}

/** A fresh husk with busybox, torn down (and its leftovers killed) when `t` ends. */
async function lab(t: Test, mode: Parameters<typeof newHusk>[0]): Promise<KillLab> {
  const h = await newHusk(mode);
  const l = new KillLab(h);
  t.teardown(async () => {
    l.killLeftovers();
    await h.cleanup();
  });
  await h.importBusybox();
  return l;
}

/**
 * Kill points for a command: every phase its trace shows (from a first run
 * with HUSK_TRACE=1), fixed and random delays, and the moments its new
 * container's files appear (for commands that create one).
 */
async function killPoints(calibrate: () => Promise<Result>, containersDir?: string): Promise<Trigger[]> {
  const r = await calibrate();
  const markers = traceLabels(r.stderr);
  const files: Trigger[] = containersDir
    ? [undefined, 'container.json', 'config.json', 'state.json'].map((file) => ({ newDirIn: containersDir, file }))
    : [];
  return [...markers.map((marker) => ({ marker })), ...files, ...[...DELAYS, ...randomDelays(3)].map((afterMs) => ({ afterMs }))];
}

/** The final subtests of a lab. */
function finalChecks(t: Test, l: KillLab): void {
  t.test('no container said Created while its process ran', async (t) => l.checkNoCreatedButRunning(t));
  t.test('rm -f of everything listed leaves no process, mount, temp file or lock behind', (t) => l.checkCleanable(t));
  t.test('and no container directory', async (t) => l.checkNoDirs(t));
}

// Some 350 husk commands killed halfway and checked, in each mode: more than the default per-file timeout on a busy machine.
t.setTimeout(1_200_000);

for (const mode of modes()) {
  t.test(mode, async (t) => {
    t.test('20 parallel run -d, then 20 parallel rm -f: nothing left behind, nothing else lost', async (t) => {
      const h = await newHusk(mode);
      t.teardown(() => h.cleanup());
      await h.importBusybox();
      const containersDir = path.join(h.root, 'containers');
      const runDir = path.join(h.runroot, 'c');

      const keeperTag = unique();
      const keeper = await h.run(['run', '-d', '--name', 'keeper', 'busybox', 'sleep', keeperTag]);
      t.equal(keeper.code, 0, 'the keeper runs');
      const keeperId = keeper.stdout.trim();

      const tags = Array.from({ length: 20 }, unique);
      const runs = await Promise.all(tags.map((tag) => h.run(['run', '-d', 'busybox', 'sleep', tag], { timeoutMs: 180_000 })));
      t.same(
        runs.filter((r) => r.code !== 0).map((r) => ({ code: r.code, stderr: r.stderr })),
        [],
        'all 20 run -d exit 0',
      );
      const ids = runs.map((r) => r.stdout.trim());
      t.ok(ids.every((id) => /^[0-9a-f]{64}$/.test(id)), 'each prints an id');
      t.equal(new Set(ids).size, 20, 'distinct ids');
      t.same(
        tags.filter((tag) => Husk.pidsOf('sleep', tag).length === 0),
        [],
        'every container process runs',
      );
      const running = await h.run(['ps', '-q']);
      t.equal(running.code, 0, 'ps -q exits 0');
      t.same(lines(running.stdout).sort(), [keeperId, ...ids].map((id) => id.slice(0, 12)).sort(), 'ps -q lists the 21');

      const removals = await Promise.all(ids.map((id) => h.run(['rm', '-f', id], { timeoutMs: 180_000 })));
      t.same(
        removals.map((r, i) => ({ id: ids[i], code: r.code, stderr: r.stderr })).filter((r) => r.code !== 0),
        [],
        'all 20 rm -f exit 0',
      );
      t.same(
        removals.map((r, i) => r.stdout.trim() === ids[i]),
        ids.map(() => true),
        'each prints the id it removed',
      );

      const all = await h.run(['ps', '-aq', '--no-trunc']);
      t.same(lines(all.stdout), [keeperId], 'ps -aq lists the keeper alone');

      // Nothing of the 20 is left: processes, monitors, mounts, files.
      const leftProcesses = () => tags.flatMap((tag) => Husk.pidsOf('sleep', tag));
      await waitFor(() => leftProcesses().length === 0, 30_000, 250);
      t.same(leftProcesses().map(describeProcess), [], 'no container process left');
      const leftMonitors = () => ids.flatMap((id) => Husk.pidsMatching(id));
      await waitFor(() => leftMonitors().length === 0, 30_000, 250);
      t.same(leftMonitors().map(describeProcess), [], 'no monitor (or other process naming a removed id) left');
      t.same(hostMountsUnder(h.dir), [], 'no mount under the store or the runroot (host mount namespace)');
      t.same(mountsMentioning(ids), [], 'no mount of a removed container in any mount namespace');
      t.same(ls(containersDir), [keeperId], "the store's containers/ holds the keeper alone");
      t.same(ls(runDir), [keeperId], "the runroot's c/ holds the keeper alone");
      t.same(tmpFiles(h.root, h.runroot), [], 'no temp file left');

      // The locks are free.
      const probe = await h
        .run(['run', '--rm', 'busybox', 'true'], { timeoutMs: 60_000 })
        .catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
      t.equal(probe.code, 0, 'run --rm busybox true completes within a minute: no lock is held', { stderr: probe.stderr });

      // The keeper is untouched and usable.
      t.ok(Husk.pidsOf('sleep', keeperTag).length > 0, 'the keeper still runs');
      const ps = await h.run(['ps', '--format', '{{.Names}} {{.Status}}']);
      t.match(ps.stdout, /^keeper Up/, 'ps: keeper Up');
      const exec = await h.run(['exec', 'keeper', 'echo', 'still-here']);
      t.same([exec.code, exec.stdout], [0, 'still-here\n'], 'exec into the keeper');
      const logs = await h.run(['logs', 'keeper']);
      t.equal(logs.code, 0, 'logs of the keeper');
      const stop = await h.run(['stop', '-t', '1', 'keeper'], { timeoutMs: 60_000 });
      t.same([stop.code, stop.stdout], [0, 'keeper\n'], 'stop the keeper');
      t.ok(await waitFor(() => Husk.pidsOf('sleep', keeperTag).length === 0, 30_000), 'its process is gone');
      const status = await h.run(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
      t.match(status.stdout, /^keeper Exited \(137\)/, 'keeper Exited (137)');
      t.equal((await h.run(['rm', 'keeper'])).code, 0, 'rm the keeper');
      t.same(ls(containersDir), [], 'the store is empty');
    });

    t.test('husk killed during create', async (t) => {
      const l = await lab(t, mode);
      const points = await killPoints(() => l.h.run(['create', 'busybox', 'sleep', l.tag()], { env: { HUSK_TRACE: '1' } }), l.containersDir);
      t.test('ps -a tells the truth after each kill', async (t) => {
        for (const p of points) {
          const tag = l.tag();
          await l.checkTruthful(t, await l.kill(['create', 'busybox', 'sleep', tag], tag, p));
        }
      });
      finalChecks(t, l);
    });

    t.test('husk killed during run -d', async (t) => {
      const l = await lab(t, mode);
      const points = await killPoints(() => l.h.run(['run', '-d', 'busybox', 'sleep', l.tag()], { env: { HUSK_TRACE: '1' } }), l.containersDir);
      t.test('ps -a tells the truth after each kill', async (t) => {
        for (const p of points) {
          const tag = l.tag();
          await l.checkTruthful(t, await l.kill(['run', '-d', 'busybox', 'sleep', tag], tag, p));
        }
      });
      finalChecks(t, l);
    });

    t.test('husk killed during start', async (t) => {
      const l = await lab(t, mode);
      const created = async (tag: string) => {
        const c = await l.h.run(['create', 'busybox', 'sleep', tag]);
        if (c.code !== 0) throw new Error(`create failed: ${c.stderr}`);
        return c.stdout.trim();
      };
      const points = await killPoints(async () => l.h.run(['start', await created(l.tag())], { env: { HUSK_TRACE: '1' } }));
      t.test('ps -a tells the truth after each kill', async (t) => {
        for (const p of points) {
          const tag = l.tag();
          const id = await created(tag);
          await l.checkTruthful(t, await l.kill(['start', id], tag, p, id));
        }
      });
      finalChecks(t, l);
    });

    t.test('husk killed during rm -f', async (t) => {
      const l = await lab(t, mode);
      const kinds: Array<{ kind: string; make: (tag: string) => string[] }> = [
        { kind: 'running', make: (tag) => ['run', '-d', 'busybox', 'sleep', tag] },
        { kind: 'created', make: (tag) => ['create', 'busybox', 'sleep', tag] },
        { kind: 'exited', make: (tag) => ['run', 'busybox', 'false', tag] },
      ];
      const prepare = async (args: string[]) => {
        const c = await l.h.run(args);
        if (args[1] === '-d' || args[0] === 'create') {
          if (c.code !== 0) throw new Error(`${args.join(' ')} failed: ${c.stderr}`);
          return c.stdout.trim();
        }
        const id = (await l.h.run(['ps', '-alq', '--no-trunc'])).stdout.trim();
        if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`${args.join(' ')}: no container`);
        return id;
      };
      const points = await killPoints(async () => l.h.run(['rm', '-f', await prepare(kinds[1]!.make(l.tag()))], { env: { HUSK_TRACE: '1' } }));
      for (const { kind, make } of kinds) {
        t.test(`rm -f of a ${kind} container: ps -a tells the truth after each kill`, async (t) => {
          // rm -f of a running container waits for its monitor: kill it there too.
          const extra: Trigger[] = kind === 'running' ? [{ afterMs: 1000 }, { afterMs: 3000 }] : [];
          for (const p of [...points, ...extra, { recordGone: '' }]) {
            const tag = l.tag();
            const id = await prepare(make(tag));
            const trigger = 'recordGone' in p ? { recordGone: path.join(l.containersDir, id) } : p;
            await l.checkTruthful(t, await l.kill(['rm', '-f', id], tag, trigger, id));
          }
        });
      }
      finalChecks(t, l);
    });

    t.test('husk killed during a foreground run --rm', async (t) => {
      const l = await lab(t, mode);
      // The container sleeps a few seconds: long enough to be seen running, short enough to wait for.
      // (busybox's sleep rewrites a fractional argument that ends in 0: end it in 1.)
      const seconds = () => {
        const tag = `3.${unique()}1`;
        l.tags.add(tag);
        return tag;
      };
      const points = await killPoints(() => l.h.run(['run', '--rm', 'busybox', 'true'], { env: { HUSK_TRACE: '1' } }), l.containersDir);

      t.test('killed while its container runs: the container does not stay forever', async (t) => {
        const tag = seconds();
        const child = l.h.spawn(['run', '--rm', 'busybox', 'sleep', tag]);
        child.stdin!.end();
        let output = '';
        child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
        child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
        t.ok(await waitFor(() => Husk.pidsOf('sleep', tag).length > 0, 30_000), 'the container runs', { output, exit: child.exitCode });
        const huskPid = l.h.user ? childrenOf(child.pid!)[0] : child.pid!;
        try {
          process.kill(huskPid ?? -child.pid!, 'SIGKILL');
        } catch {
          /* ended on its own: the checks below say what is left */
        }
        await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
        child.stdout!.destroy();
        child.stderr!.destroy();
        const ps = await l.h.run(['ps', '-a', '--no-trunc', '--format', ROW_FORMAT]);
        const rows = parseRows(ps.stdout).filter((r) => r.command.endsWith(tag));
        t.equal(rows.length, 1, 'ps -a lists it while it runs');
        t.match(rows[0]?.status ?? '', /^Up/, 'Up');
        t.ok(await waitFor(() => Husk.pidsOf('sleep', tag).length === 0, 30_000), 'it exits by itself');
        // Either the monitor removes it, or it stays listed, not Up, for rm -f.
        const settled = await waitFor(async () => {
          const rows = parseRows((await l.h.run(['ps', '-a', '--no-trunc', '--format', ROW_FORMAT])).stdout);
          const row = rows.find((r) => r.command.endsWith(tag));
          return !row || !/^Up/.test(row.status) ? { row } : undefined;
        }, 30_000, 500);
        t.ok(settled, 'ps -a no longer says Up');
        if (settled?.row) t.match(settled.row.status, SENSIBLE_STATUS, `still listed: ${settled.row.status}`);
        await l.checkCleanable(t);
        l.checkNoDirs(t);
      });

      t.test('killed at each point of its start: ps -a tells the truth', async (t) => {
        for (const p of points) {
          const tag = seconds();
          await l.checkTruthful(t, await l.kill(['run', '--rm', 'busybox', 'sleep', tag], tag, p));
        }
        // Every container exits by itself.
        await waitFor(() => [...l.tags].every((tag) => Husk.pidsOf('sleep', tag).length === 0), 30_000, 500);
      });
      finalChecks(t, l);
    });
  });
}
