// husk's native code under AddressSanitizer + UndefinedBehaviorSanitizer.
//
// valgrind (3.19 here) cannot run husk-userns (it does not know openat2), so
// the native parts are rebuilt with -fsanitize=address,undefined into a temp
// copy of the package (bin/, dist/, package.json, binding.gyp +
// build/Release/{husk_native.node,husk-monitor,husk-userns,husk-net}); husk finds its
// native parts next to the binding.gyp above dist/, so that copy runs the
// sanitized builds. The usual commands then run from the copy, as root and
// rootless, with libasan preloaded into node (the addon needs it first in the
// library list) and the sanitizers logging to files: every command must exit
// as expected and no sanitizer report may appear.
//
// Two passes per mode: detect_leaks=0 (as node leaks at exit by design) and
// detect_leaks=1 (for husk-monitor and husk-userns above all), where a leak
// report is ignored, as a comment, only when it is node's own: it names the
// node binary and none of husk's code (husk-monitor, husk-userns,
// husk_native.node, addon/ sources, the copy's directory).
//
// Needs root (the rootless pass runs as the user husktest) and g++ with
// libasan/libubsan, libseccomp and libarchive headers. The compile (~20 s on
// two cores) is done once per run of this file.
//
// To see the test fail on purpose, build a deliberate bug into the copy:
//   HUSK_ASAN_INJECT=monitor:ub,userns:leak npx tap test/integration/090-native-sanitizers.test.ts
// (targets monitor|userns|addon, kinds overflow|ub|leak; the bug is a
// constructor in an extra source file linked into that target only; an
// addon:overflow bug makes every husk command fail).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { Husk, fixtures, modes, setup, waitFor, type Mode, type Result, type RunOptions } from '../helpers/husk.js';

type Hostile = Record<string, () => Buffer>;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const isRoot = process.getuid?.() === 0;
const hasGxx = spawnSync('g++', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !isRoot
  ? 'needs root (builds into /tmp and runs the rootless pass as husktest)'
  : !hasGxx
    ? 'g++ missing'
    : false;

/** What a sanitizer prints; also looked for on stderr (a report that could not reach its log file). */
const SANITIZER_TEXT = /ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:|Sanitizer:DEADLYSIGNAL|ERROR: Can't open file|SUMMARY: \w+Sanitizer/;
/** A leak report that is husk's own (not node's). */
const HUSK_CODE = /husk-monitor|husk-userns|husk-net|husk_native\.node|\baddon\//;

const SAN_FLAGS = ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-g', '-O1'];
const CXX_FLAGS = ['-std=c++17', '-Wall', '-Wextra', '-Wno-unused-parameter'];

function run(file: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Runs the jobs, at most `n` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
  return out;
}

/**
 * Linked into every sanitized binary: with GCC's shared runtimes libubsan runs
 * as a plugin of libasan and never applies UBSAN_OPTIONS' log_path (its own
 * copy of sanitizer_common keeps writing to stderr, which the monitor does not
 * have). This gives libubsan's copy the path, before any other constructor.
 */
const UBSAN_LOG_PATH_SOURCE = `#include <dlfcn.h>
#include <cstdlib>
#include <cstring>
__attribute__((constructor(101))) static void husk_test_ubsan_log_path() {
  const char* o = getenv("UBSAN_OPTIONS");
  const char* p = o ? strstr(o, "log_path=") : nullptr;
  if (!p) return;
  p += strlen("log_path=");
  static char path[4096];
  size_t n = strcspn(p, ":");
  if (n == 0 || n >= sizeof path) return;
  memcpy(path, p, n);
  path[n] = 0;
  void* ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (!ubsan) return;
  auto set = reinterpret_cast<void (*)(const char*)>(dlsym(ubsan, "__sanitizer_set_report_path"));
  if (set) set(path);
}
`;

/** Source of a deliberate bug (for HUSK_ASAN_INJECT), run as a constructor at load time. */
function injectSource(kind: string): string {
  const body: Record<string, string> = {
    overflow: 'char* volatile p = static_cast<char*>(malloc(8)); volatile char c = p[8]; (void)c; free(p);',
    ub: 'volatile int x = INT_MAX; volatile int y = x + 1; (void)y;',
    leak: 'void* volatile p = malloc(123); p = nullptr;',
  };
  if (!body[kind]) throw new Error(`HUSK_ASAN_INJECT: unknown kind ${kind} (overflow|ub|leak)`);
  return `#include <climits>\n#include <cstdlib>\n__attribute__((constructor)) static void husk_asan_inject() { ${body[kind]} }\n`;
}

/**
 * Copies the run-time files of the package to a fresh world-readable temp dir
 * and compiles the sanitized native parts into its build/Release (with g++
 * directly, following binding.gyp). Returns the copy's directory.
 */
async function buildSanitizedPackage(t: Test): Promise<string> {
  const pkg = fs.mkdtempSync('/tmp/hasan-');
  fs.chmodSync(pkg, 0o755);
  for (const part of ['bin', 'dist', 'package.json', 'binding.gyp']) {
    fs.cpSync(path.join(repo, part), path.join(pkg, part), { recursive: true });
  }
  // No node_modules: dist/husk.cjs is self-contained and node-addon-api is headers only.
  fs.rmSync(path.join(pkg, 'dist', 'husk.cjs.cache'), { force: true });
  const out = path.join(pkg, 'build', 'Release');
  const obj = path.join(pkg, 'build', 'obj');
  fs.mkdirSync(out, { recursive: true });
  fs.mkdirSync(obj, { recursive: true });

  const napiInclude = path.resolve(
    repo,
    execFileSync(process.execPath, ['-p', "require('node-addon-api').include_dir"], { cwd: repo, encoding: 'utf8' }).trim(),
  );
  const nodeInclude = [
    path.join(path.dirname(path.dirname(process.execPath)), 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].find((d) => fs.existsSync(path.join(d, 'node_api.h')));
  if (!nodeInclude) throw new Error('node headers (node_api.h) not found next to node or in /usr/include/node');

  const addonInc = ['-I', napiInclude, '-I', nodeInclude, '-I', path.join(repo, 'addon'), '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS'];
  const exeInc = ['-I', path.join(repo, 'addon')];
  const src = (p: string) => path.join(repo, p);
  const o = (name: string) => path.join(obj, name);
  // Sources and libraries as binding.gyp gives them (idmap.cc is built once, below).
  const gyp = JSON.parse(fs.readFileSync(path.join(repo, 'binding.gyp'), 'utf8')) as { targets: Array<{ target_name: string; sources: string[]; libraries?: string[] }> };
  const target = (name: string) => gyp.targets.find((x) => x.target_name === name)!;
  const own = (name: string) => target(name).sources.filter((f) => f !== 'addon/common/idmap.cc');
  const addonSrc = own('husk_native');
  const usernsSrc = own('husk-userns');
  const monitorSrc = own('husk-monitor');
  const netSrc = own('husk-net');

  // Deliberate bugs for checking that this test can fail: target:kind,...
  const inject: Record<string, string> = {};
  for (const item of (process.env.HUSK_ASAN_INJECT ?? '').split(',').filter(Boolean)) {
    const [target, kind] = item.split(':');
    if (!['monitor', 'userns', 'addon', 'net'].includes(target ?? '') || !kind) throw new Error(`HUSK_ASAN_INJECT: bad item ${item}`);
    const file = path.join(obj, `inject-${target}.cc`);
    fs.writeFileSync(file, injectSource(kind));
    inject[target!] = file;
    t.comment(`HUSK_ASAN_INJECT: ${kind} bug built into ${target}: this test should fail`);
  }

  fs.writeFileSync(path.join(obj, 'ubsan-log-path.cc'), UBSAN_LOG_PATH_SOURCE);
  const cc = (source: string, object: string, extra: string[]) => () =>
    run('g++', [...SAN_FLAGS, ...CXX_FLAGS, '-fPIC', ...extra, '-c', source, '-o', object]);
  const jobs = [
    ...addonSrc.map((s) => cc(src(s), o(`addon-${path.basename(s, '.cc')}.o`), addonInc)),
    ...usernsSrc.map((s) => cc(src(s), o(`userns-${path.basename(s, '.cc')}.o`), exeInc)),
    // One -fPIC idmap.o serves the addon and husk-userns (PIE) alike.
    cc(src('addon/common/idmap.cc'), o('idmap.o'), exeInc),
    // binding.gyp builds the monitor -static -Os -fno-exceptions -fno-rtti; the
    // sanitizers need it dynamic (and -O1, as the rest).
    ...monitorSrc.map((s) => cc(src(s), o(`monitor-${path.basename(s, '.cc')}.o`), [...exeInc, '-fno-exceptions', '-fno-rtti'])),
    // husk-net likewise (static and -Os in binding.gyp).
    ...netSrc.map((s) => cc(src(s), o(`net-${path.basename(s, '.cc')}.o`), [...exeInc, '-fno-exceptions', '-fno-rtti'])),
    cc(path.join(obj, 'ubsan-log-path.cc'), o('ubsan-log-path.o'), []),
    ...Object.entries(inject).map(([target, file]) => cc(file, o(`inject-${target}.o`), [])),
  ];
  const started = Date.now();
  await pool(jobs, os.availableParallelism?.() ?? os.cpus().length);
  const injected = (target: string) => [o('ubsan-log-path.o'), ...(inject[target] ? [o(`inject-${target}.o`)] : [])];
  await Promise.all([
    run('g++', [...SAN_FLAGS, '-shared', '-fPIC', ...addonSrc.map((s) => o(`addon-${path.basename(s, '.cc')}.o`)), o('idmap.o'), ...injected('addon'), ...(target('husk_native').libraries ?? []), '-o', path.join(out, 'husk_native.node')]),
    run('g++', [...SAN_FLAGS, ...monitorSrc.map((s) => o(`monitor-${path.basename(s, '.cc')}.o`)), ...injected('monitor'), '-o', path.join(out, 'husk-monitor')]),
    run('g++', [...SAN_FLAGS, ...usernsSrc.map((s) => o(`userns-${path.basename(s, '.cc')}.o`)), o('idmap.o'), ...injected('userns'), ...(target('husk-userns').libraries ?? []), '-o', path.join(out, 'husk-userns')]),
    run('g++', [...SAN_FLAGS, ...netSrc.map((s) => o(`net-${path.basename(s, '.cc')}.o`)), o('idmap.o'), ...injected('net'), '-o', path.join(out, 'husk-net')]),
  ]);
  // Kept for the canary: the UBSan log-path shim.
  fs.renameSync(o('ubsan-log-path.cc'), path.join(pkg, 'build', 'ubsan-log-path.cc'));
  fs.rmSync(obj, { recursive: true, force: true });
  execFileSync('chmod', ['-R', 'a+rX', pkg]);
  t.comment(`sanitized native parts built in ${((Date.now() - started) / 1000).toFixed(1)} s into ${out}`);
  return pkg;
}

/**
 * Leaks of node itself (its heap is still there when husk exits through
 * process.exit) are not husk's; the leak pass is for husk-monitor,
 * husk-userns and husk-net, which run no node code. Nor are those of the
 * system's programs husk runs with the preload inherited (ip, nft,
 * nsenter, pasta): a leak report would also change their exit status.
 */
function writeSuppressions(logDir: string): string {
  const file = `${logDir}.lsan.supp`; // beside the log dir: everything in it is a report
  const system = ['/usr/bin/', '/usr/sbin/', '/bin/', '/sbin/'].map((dir) => `leak:^${dir}\n`).join('');
  fs.writeFileSync(file, `leak:${process.execPath}\n${system}`, { mode: 0o644 });
  return file;
}

/** The environment that puts the sanitizers to work, logging under `logDir`. */
function sanitizerEnv(logDir: string, leaks: boolean): Record<string, string> {
  const libasan = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
  return {
    LD_PRELOAD: libasan,
    ASAN_OPTIONS: `detect_leaks=${leaks ? 1 : 0}:abort_on_error=0:log_path=${logDir}/asan`,
    UBSAN_OPTIONS: `print_stacktrace=1:log_path=${logDir}/ubsan`,
    // husk leaves through process.exit() without tearing node down, so node's
    // own memory is still there at exit: suppressed, see writeSuppressions.
    LSAN_OPTIONS: `print_suppressions=0:suppressions=${writeSuppressions(logDir)}`,
  };
}

/** A log directory anyone can write (the rootless pass runs as husktest), only root can remove others' files from. */
function newLogDir(): string {
  const dir = fs.mkdtempSync('/tmp/hl-');
  fs.chmodSync(dir, 0o1777);
  return dir;
}

/** The harness's Husk, running bin/husk of the sanitized copy with the sanitizer environment. */
class SanitizedHusk extends Husk {
  private readonly pkg: string;
  /** Set right before node in every husk command line. */
  readonly sanEnv: Record<string, string>;
  constructor(mode: Mode, pkg: string, sanEnv: Record<string, string>) {
    super(mode);
    this.pkg = pkg;
    this.sanEnv = sanEnv;
  }
  override argv(args: string[]): string[] {
    // Through env(1) right before node, so that script(1) and the shell of
    // runTty do not get libasan preloaded; only husk (and its children) do.
    return [
      'env',
      ...Object.entries(this.sanEnv).map(([k, v]) => `${k}=${v}`),
      setup().node,
      path.join(this.pkg, 'bin', 'husk'),
      '--root',
      this.root,
      '--runroot',
      this.runroot,
      ...args,
    ];
  }
}

/**
 * Reads the sanitizer log files not seen before. A report is ignored only when
 * it is a leak report of node itself: it names node's binary and none of
 * husk's code (nor anything in the sanitized copy `pkg`). Everything else fails.
 */
function newReports(logDir: string, seen: Set<string>, pkg: string): { bad: string[]; ignored: string[] } {
  const node = fs.realpathSync(setup().node);
  const bad: string[] = [];
  const ignored: string[] = [];
  for (const f of fs.readdirSync(logDir).sort()) {
    if (seen.has(f)) continue;
    seen.add(f);
    const text = fs.readFileSync(path.join(logDir, f), 'utf8');
    const leakOnly = /LeakSanitizer/.test(text) && !/ERROR: AddressSanitizer|runtime error:/.test(text);
    const nodes = text.includes(`(${node}+`) || /libnode\.so/.test(text);
    if (leakOnly && nodes && !HUSK_CODE.test(text) && !text.includes(pkg)) ignored.push(`${f}:\n${text}`);
    else bad.push(`${f}:\n${text}`);
  }
  return { bad, ignored };
}

t.test('native code under ASan + UBSan', { skip }, async (t) => {
  setup(); // test/setup.mjs: user husktest, /tmp/husk-test-fixtures/busybox.tar
  const pkg = await buildSanitizedPackage(t);
  t.teardown(() => fs.rmSync(pkg, { recursive: true, force: true }));
  const logDirs: string[] = [];
  t.teardown(() => {
    for (const d of logDirs) for (const p of [d, `${d}.lsan.supp`]) fs.rmSync(p, { recursive: true, force: true });
  });
  const hostile = (await import('../fixtures/hostile-tars.mjs' as string)) as Hostile;
  const release = path.join(pkg, 'build', 'Release');
  const user = setup().rootlessUser;

  await t.test('the copy has sanitized builds', async (t) => {
    for (const f of ['husk_native.node', 'husk-monitor', 'husk-userns']) {
      const dyn = execFileSync('readelf', ['-d', path.join(release, f)], { encoding: 'utf8' });
      t.match(dyn, /NEEDED.*libasan\.so/, `${f} links libasan`);
      t.match(dyn, /NEEDED.*libubsan\.so/, `${f} links libubsan`);
    }
  });

  await t.test('sanitizer reports reach the log directory', async (t) => {
    // A canary with a known heap overflow and a known signed overflow, run
    // with the same environment as husk, as root and as husktest.
    const dir = fs.mkdtempSync('/tmp/hasan-canary-');
    logDirs.push(dir);
    fs.chmodSync(dir, 0o755);
    const canary = path.join(dir, 'canary');
    fs.writeFileSync(
      `${canary}.cc`,
      '#include <climits>\n#include <cstdlib>\n#include <cstring>\n' +
        'int main(int argc, char** argv) {\n' +
        '  if (argc > 1 && !strcmp(argv[1], "ub")) { volatile int x = INT_MAX; volatile int y = x + argc; return y == 0; }\n' +
        '  char* volatile p = static_cast<char*>(malloc(8)); volatile char c = p[8]; free(p); return c;\n}\n',
    );
    await run('g++', [...SAN_FLAGS, `${canary}.cc`, path.join(pkg, 'build', 'ubsan-log-path.cc'), '-o', canary]);
    fs.chmodSync(canary, 0o755);
    for (const who of [null, user]) {
      const logDir = newLogDir();
      logDirs.push(logDir);
      const env = Object.entries(sanitizerEnv(logDir, false)).map(([k, v]) => `${k}=${v}`);
      for (const arg of ['ub', 'overflow']) {
        const argv = ['env', '-i', 'PATH=/usr/bin:/bin', ...env, canary, arg];
        spawnSync(who ? 'runuser' : argv[0]!, who ? ['-u', who, '--', ...argv] : argv.slice(1), { stdio: 'ignore' });
      }
      const { bad } = newReports(logDir, new Set(), pkg);
      const all = bad.join('\n');
      t.match(all, /runtime error: signed integer overflow/, `UBSan reports land in the log dir (${who ?? 'root'})`);
      t.match(all, /ERROR: AddressSanitizer: heap-buffer-overflow/, `ASan reports land in the log dir (${who ?? 'root'})`);
    }
  });

  await t.test('husk from the copy loads the sanitized addon', async (t) => {
    // Without libasan preloaded, the ASan addon refuses to load inside node:
    // proof that `run` loads the copy's build/Release/husk_native.node.
    const logDir = newLogDir();
    logDirs.push(logDir);
    const h = new SanitizedHusk('root', pkg, sanitizerEnv(logDir, false));
    t.teardown(() => h.cleanup());
    t.equal((await h.run(['import', fixtures.busyboxTar, 'busybox'])).code, 0, 'import with libasan preloaded');
    h.sanEnv.LD_PRELOAD = '';
    const r = await h.run(['run', '--rm', 'busybox', 'true']);
    t.not(r.code, 0, 'fails without libasan preloaded', { stdout: r.stdout, stderr: r.stderr });
    t.match(r.stderr, /ASan runtime does not come first/, 'because the addon is the ASan build');
  });

  for (const leaks of [false, true]) {
    for (const mode of modes()) {
      t.test(`${mode}, detect_leaks=${leaks ? 1 : 0}`, async (t) => {
        const logDir = newLogDir();
        logDirs.push(logDir);
        const h = new SanitizedHusk(mode, pkg, sanitizerEnv(logDir, leaks));
        t.teardown(() => h.cleanup());
        const seen = new Set<string>();
        const huskProcs = () => Husk.pidsMatching(pkg);

        /** Fails on reports that appeared since the last check, naming the step. */
        const checkReports = (t: Test, step: string) => {
          const { bad, ignored } = newReports(logDir, seen, pkg);
          for (const r of ignored) t.comment(`leak report outside husk's code (ignored) after ${step}:\n${r}`);
          t.same(bad, [], `no sanitizer report after ${step}`);
        };
        /** Waits for husk's monitors and cleanup processes to end, then checks the reports. */
        const settle = async (t: Test, step: string) => {
          await waitFor(() => huskProcs().length === 0, 20_000);
          t.same(huskProcs(), [], `no husk process left after ${step}`);
          checkReports(t, step);
        };
        const expect = async (t: Test, step: string, args: string[], code: number, opts: RunOptions & { tty?: boolean } = {}): Promise<Result> => {
          const r = opts.tty ? await h.runTty(args, opts) : await h.run(args, opts);
          t.equal(r.code, code, `${step}: exit ${code}`, { stderr: r.stderr, stdout: r.stdout.slice(0, 2000) });
          t.notMatch(r.stderr, SANITIZER_TEXT, `${step}: no sanitizer output on stderr`);
          if (opts.tty) t.notMatch(r.stdout, SANITIZER_TEXT, `${step}: no sanitizer output on the terminal`);
          return r;
        };

        await t.test('import the busybox tarball', async (t) => {
          await expect(t, 'import', ['import', fixtures.busyboxTar, 'busybox'], 0);
          await settle(t, 'import');
        });

        await t.test('run --rm echo', async (t) => {
          const r = await expect(t, 'run echo', ['run', '--rm', 'busybox', 'echo', 'ok'], 0);
          t.equal(r.stdout, 'ok\n');
          await settle(t, 'run echo');
        });

        await t.test('run --rm -i cat', async (t) => {
          const input = 'line one\nline two\n'.repeat(500);
          const r = await expect(t, 'run -i cat', ['run', '--rm', '-i', 'busybox', 'cat'], 0, { input });
          t.equal(r.stdout, input, 'stdin comes back');
          await settle(t, 'run -i cat');
        });

        await t.test('run -d, logs, exec -i, rm -f', async (t) => {
          const d = await expect(t, 'run -d', ['run', '-d', '--name', 'bg', 'busybox', 'sh', '-c', 'echo logged; exec sleep 30'], 0);
          t.match(d.stdout, /^[0-9a-f]{12,64}\n$/, 'prints the container id');
          const monitors = Husk.pidsMatching(path.join(release, 'husk-monitor'));
          t.equal(monitors.length, 1, 'one monitor runs, the copy’s husk-monitor');
          for (const pid of monitors) {
            t.equal(fs.readlinkSync(`/proc/${pid}/exe`), path.join(release, 'husk-monitor'), 'the monitor is the sanitized build');
            t.match(fs.readFileSync(`/proc/${pid}/maps`, 'utf8'), /libasan\.so/, 'with libasan mapped');
          }
          const logs = await waitFor(async () => {
            const r = await h.run(['logs', 'bg']);
            return r.stdout.includes('logged') ? r : null;
          }, 15_000).catch(() => null);
          t.ok(logs, 'logs shows the output');
          if (logs) {
            t.equal(logs.code, 0, 'logs: exit 0');
            t.notMatch(logs.stderr, SANITIZER_TEXT, 'logs: no sanitizer output on stderr');
          }
          const input = 'exec line\n'.repeat(500);
          const x = await expect(t, 'exec -i cat', ['exec', '-i', 'bg', 'cat'], 0, { input });
          t.equal(x.stdout, input, 'exec: stdin comes back, through the pipes the addon made');
          checkReports(t, 'run -d, logs and exec');
          await expect(t, 'rm -f', ['rm', '-f', 'bg'], 0);
          await settle(t, 'rm -f');
        });

        await t.test('exit codes', async (t) => {
          await expect(t, 'sh -c "exit 3"', ['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'], 3);
          await settle(t, 'exit 3');
          const r = await expect(t, 'nosuchcmd', ['run', '--rm', 'busybox', 'nosuchcmd'], 127);
          t.match(r.stderr, /nosuchcmd/, 'names the missing command');
          await settle(t, 'nosuchcmd');
        });

        await t.test('vfs storage driver (husk-userns merge)', async (t) => {
          await expect(t, 'vfs run', ['--storage-driver', 'vfs', 'run', '--rm', 'busybox', 'true'], 0);
          await settle(t, 'vfs run');
        });

        await t.test('terminal (husk-monitor console)', async (t) => {
          const r = await expect(t, 'run -t', ['run', '--rm', '-t', 'busybox', 'sh', '-c', 'tty; exit 4'], 4, { tty: true });
          t.match(r.stdout, /\/dev\/pts\/0\r*\n/, 'the container has a terminal');
          await settle(t, 'run -t');
          const it = await expect(t, 'run -it', ['run', '--rm', '-it', 'busybox', 'sh'], 5, {
            tty: true,
            input: 'echo hi-$((40+2))\nexit 5\n',
          });
          t.match(it.stdout, /hi-42/, 'input reaches the shell');
          await settle(t, 'run -it');
        });

        await t.test('import of hostile and valid archives (husk-userns untar)', async (t) => {
          for (const name of ['dotdot', 'absolute', 'symlinkParent', 'hardlinkOutside']) {
            await expect(t, `import ${name}`, ['import', '-', `hostile-${name.toLowerCase()}`], 125, { input: hostile[name]!() });
            await settle(t, `import ${name}`);
          }
          for (const name of ['whiteouts', 'valid']) {
            await expect(t, `import ${name}`, ['import', '-', `ok-${name}`], 0, { input: hostile[name]!() });
            await settle(t, `import ${name}`);
          }
        });

        await t.test('after cleanup', async (t) => {
          await h.cleanup();
          await settle(t, 'cleanup');
        });
      });
    }
  }
});
