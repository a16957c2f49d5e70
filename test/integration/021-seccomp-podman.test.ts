// husk's default seccomp filter against podman's on this machine, as the
// kernel holds them: a container of each runs `sleep`, seccomp-dump reads the
// filter of that process (PTRACE_SECCOMP_GET_FILTER), and both filters are
// run (test/helpers/seccomp-bpf.ts) for every syscall number of x86_64, x86
// and x32 with a set of arguments the profiles' argument rules look at.
// Root only (ptrace of another user's process, podman as root), and x86_64.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { fixtures, Husk, modes, newHusk } from '../helpers/husk.js';
import { AUDIT_ARCH, describe, runFilters, X32_SYSCALL_BIT, type Insn } from '../helpers/seccomp-bpf.js';

// podman's default capabilities (containers.conf), which are husk's.
const CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const MAX_NR = 600; // above every syscall number of these architectures today

const CLONE_NEW = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];
const READ_IMPLIES_EXEC = 0x0400000;
/**
 * Arguments to try each syscall with: what the profiles' argument rules
 * compare (personality values, socket families and NETLINK_AUDIT, CLONE_NEW*
 * flags), some neighbours, and zeros.
 */
const ARGS: bigint[][] = [
  [0n],
  ...[8, 0x20000, 0x20008, 0xffffffff, READ_IMPLIES_EXEC].map((p) => [BigInt(p)]),
  ...[1, 2, 10, 15, 16, 17, 37, 38, 39, 40, 41, 45].flatMap((family) => [0, 9].map((proto) => [BigInt(family), 3n, BigInt(proto)])),
  ...CLONE_NEW.map((f) => [BigInt(f | 17)]),
  [17n], // SIGCHLD: fork as clone
];

interface Arch {
  name: 'x86_64' | 'x86' | 'x32';
  audit: number;
  bit: number;
}
const ARCHES: Arch[] = [
  { name: 'x86_64', audit: AUDIT_ARCH.x86_64, bit: 0 },
  { name: 'x86', audit: AUDIT_ARCH.x86, bit: 0 },
  { name: 'x32', audit: AUDIT_ARCH.x86_64, bit: X32_SYSCALL_BIT },
];

/**
 * What podman allows and husk refuses: where moby's profile (husk's) is
 * stricter than podman's (containers/common's). Mounts, namespaces, keyrings,
 * reboot, syslog and memory policies need a capability the container lacks
 * in moby's; clone with a CLONE_NEW* flag and clone3 are refused without
 * CAP_SYS_ADMIN; AF_ALG and AF_VSOCK sockets are refused; podman's allowlist
 * has a few names of other architectures that also exist on x86.
 */
const MOBY_STRICTER = new Set([
  'clone', 'clone3', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'get_mempolicy', 'keyctl', 'mbind', 'mount',
  'mount_setattr', 'move_mount', 'open_tree', 'pidfd_getfd', 'pivot_root', 'readdir', 'reboot', 'set_mempolicy',
  'setns', 'sigaction', 'signal', 'sigpending', 'sigsuspend', 'socket', 'socketcall', 'syscall', 'syslog', 'umount',
  'umount2', 'unshare',
]);

function dumpFilters(pid: number): Insn[][] {
  const out = execFileSync(fixtures.seccompDump, ['filters', String(pid)], { encoding: 'utf8' });
  return (JSON.parse(out) as { filters: Insn[][] }).filters;
}

function syscallNames(arch: Arch['name']): Map<number, string> {
  const out = execFileSync(fixtures.seccompDump, ['names', arch, String(MAX_NR)], { encoding: 'utf8' });
  return new Map(Object.entries(JSON.parse(out) as Record<string, string>).map(([nr, name]) => [Number(nr), name]));
}

/** podman as root with a store of its own (vfs: nothing mounted), husk's capabilities, runc. */
function podman(t: Test): (...args: string[]) => string {
  const dir = fs.mkdtempSync('/tmp/ht-podman-');
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(
    conf,
    '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]\n' +
      `default_capabilities = [${CAPS.map((c) => `"${c}"`).join(', ')}]\n[engine]\nruntime = "runc"\n`,
  );
  const base = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  const run = (...args: string[]) =>
    execFileSync('podman', [...base, ...args], { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: conf }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  t.teardown(() => {
    spawnSync('podman', [...base, 'rm', '-f', '-a', '-t', '0'], { env: { ...process.env, CONTAINERS_CONF: conf }, stdio: 'ignore' });
    // conmon and its `podman container cleanup` may still be writing there for a moment.
    for (const pid of Husk.pidsMatching(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });
  return run;
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

async function huskFilters(t: Test, mode: Parameters<typeof newHusk>[0]): Promise<Insn[][]> {
  const h = await newHusk(mode);
  t.teardown(() => h.cleanup());
  await h.importBusybox();
  const r = await h.run(['run', '-d', 'busybox', 'sleep', '1000']);
  if (r.code !== 0) throw new Error(`husk run: ${r.stderr}`);
  const pid = Number((await h.run(['inspect', '--format', '{{.State.Pid}}', r.stdout.trim()])).stdout);
  return dumpFilters(pid);
}

/** Every (architecture, syscall, arguments) and what each filter answers. */
function compare(husk: Insn[][], pod: Insn[][]) {
  const rows: Array<{ arch: string; nr: number; name: string; args: bigint[]; husk: string; podman: string }> = [];
  for (const arch of ARCHES) {
    const names = syscallNames(arch.name);
    for (let nr = 0; nr <= MAX_NR; nr++) {
      for (const a of ARGS) {
        const d = { nr: nr | arch.bit, arch: arch.audit, args: [...a, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) };
        rows.push({ arch: arch.name, nr, name: names.get(nr) ?? `#${nr}`, args: a, husk: describe(runFilters(husk, d)), podman: describe(runFilters(pod, d)) });
      }
    }
  }
  return rows;
}

const show = (r: { arch: string; name: string; args: bigint[] }) => `${r.arch} ${r.name}(${r.args.map((a) => `0x${a.toString(16)}`).join(', ')})`;

const skip =
  process.getuid?.() !== 0 ? 'needs root (ptrace, podman as root)'
    : process.arch !== 'x64' ? 'x86_64 only'
      : spawnSync('podman', ['--version']).status !== 0 || spawnSync('runc', ['--version']).status !== 0 ? 'needs podman and runc'
        : undefined;

t.test('the default seccomp filter refuses everything podman refuses', { skip }, async (t) => {
  const pm = podman(t);
  pm('import', fixtures.busyboxTar, 'bb');
  const id = pm('run', '-d', '--network', 'none', 'bb', 'sleep', '1000');
  const podFilters = dumpFilters(Number(pm('inspect', '--format', '{{.State.Pid}}', id)));

  for (const mode of modes()) {
    t.test(`husk ${mode}`, async (t) => {
      const rows = compare(await huskFilters(t, mode), podFilters);
      const allowed = (who: 'husk' | 'podman') => rows.filter((r) => r[who] === 'allow');
      const huskOnly = rows.filter((r) => r.husk === 'allow' && r.podman !== 'allow');
      const podmanOnly = rows.filter((r) => r.podman === 'allow' && r.husk !== 'allow');
      const names = (list: typeof rows) => [...new Set(list.map((r) => `${r.arch} ${r.name}`))];
      t.comment(`${rows.length} syscall/argument combinations (${ARCHES.length} architectures, 0..${MAX_NR}, ${ARGS.length} argument sets)`);
      t.comment(`allowed: podman ${allowed('podman').length} (${names(allowed('podman')).length} arch+syscall), husk ${allowed('husk').length} (${names(allowed('husk')).length})`);
      t.comment(`only podman allows: ${podmanOnly.length} (${names(podmanOnly).join(', ')})`);
      const errnos = rows.filter((r) => r.husk !== 'allow' && r.podman !== 'allow' && r.husk !== r.podman);
      t.comment(`both refuse, with another errno: ${errnos.length} (${[...new Set(errnos.map((r) => `${r.name} husk ${r.husk} podman ${r.podman}`))].slice(0, 12).join('; ')})`);

      t.same(huskOnly.map(show), [], 'husk allows nothing that podman refuses');
      t.same([...new Set(podmanOnly.map((r) => r.name))].filter((n) => !MOBY_STRICTER.has(n)), [], 'what only podman allows is where moby\'s profile is stricter');
      for (const arch of ARCHES) {
        const at = (name: string, args: bigint[] = [0n]) =>
          rows.find((r) => r.arch === arch.name && r.name === name && r.args.length === args.length && r.args.every((a, i) => a === args[i]));
        for (const [name, args] of [['io_uring_setup', [0n]], ['personality', [BigInt(READ_IMPLIES_EXEC)]], ['socket', [16n, 3n, 9n]]] as const) {
          const r = at(name, [...args]);
          if (r) t.same([r.husk === 'allow', r.podman === 'allow'], [false, false], `${arch.name} ${name}: refused by both (husk ${r.husk}, podman ${r.podman})`);
        }
        const read = at('read');
        t.same([read?.husk, read?.podman], ['allow', 'allow'], `${arch.name} read: allowed by both`);
      }
    });
  }
});
