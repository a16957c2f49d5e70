// A script written for podman, run by podman and by husk, compared line for
// line: what each step prints on stdout, its "Error:" lines, and its exit
// status. Both engines get their own throw-away storage and the same busybox
// rootfs (test/setup.mjs's tarball, imported by each), as root and as the
// rootless test user. Only what must differ is normalised; each rule says why.
// Skipped only when podman is not installed.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { fixtures, lines, modes, newHusk, type Husk, type Result } from '../helpers/husk.js';

/** The benchmarks' podman settings (runc, rlimits this machine allows): see benchmarks/pods.sh. */
const PODMAN_CONF = '/work/shared/bench/podman-containers.conf';

const podmanVersion = spawnSync('podman', ['--version'], { encoding: 'utf8' });
const havePodman = podmanVersion.status === 0;

interface Step {
  args: string[];
  /** A listing whose order is the engine's: podman lists containers oldest first, docker (and husk) newest first. */
  unordered?: boolean;
}

const step = (...args: string[]): Step => ({ args });
const unordered = (...args: string[]): Step => ({ args, unordered: true });

/** The script, in podman's style. Containers: a (running sleep), b (exited echo). */
function script(busyboxTar: string): Step[] {
  return [
    step('import', '--change', 'CMD ["sh"]', busyboxTar, 'busybox:latest'),
    step('run', '-d', '--name', 'a', 'busybox', 'sleep', '600'),
    step('run', '--name', 'b', 'busybox', 'echo', 'hello'),
    step('ps', '--noheading', '--format', '{{.Names}} {{.Status}}'),
    unordered('ps', '-a', '--noheading', '--format', '{{.Names}} {{.Status}}'),
    step('ps', '-a', '--noheading', '--filter', 'status=exited', '--format', '{{.Names}} {{.Image}} {{.Command}}'),
    step('inspect', '-l', '--format', '{{.Name}}'),
    step('logs', '-l'),
    step('container', 'exists', 'a'),
    step('container', 'exists', 'nosuch'),
    step('image', 'exists', 'busybox'),
    step('image', 'exists', 'nosuch'),
    step('rm', '--ignore', 'nosuch'),
    step('rm', 'nosuch'),
    step('rm', 'a'),
    step('inspect', 'nosuch'),
    step('logs', 'nosuch'),
    step('volume', 'create', 'v1'),
    step('volume', 'rm', '-a'),
    step('images', '--format', '{{.Repository}}:{{.Tag}}'),
    step('images', '--noheading'),
    step('images', '--format', '{{.ID}} {{.Names}} {{.Digest}} {{.Containers}} {{.ReadOnly}}'),
    step('rmi', 'busybox'),
    step('run', '--rm', 'busybox', 'sh', '-c', 'exit 3'),
    step('run', '--pull=never', 'nosuch:latest', 'true'),
    step('stop', 'nosuch'),
    step('stop', '-t', '0', 'a'),
    step('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'a'),
    step('start', 'a'),
    // sleep, as pid 1, ignores SIGTERM: killed first, `rm -f` takes no 10 s grace period.
    step('kill', 'a'),
    unordered('rm', '-f', '-a'),
    step('ps', '-a', '--noheading'),
    step('rmi', '--ignore', 'nosuch'),
    step('rmi', 'nosuch'),
    step('rmi', 'busybox'),
    step('images', '--noheading'),
  ];
}

/** How podman's durations are written: "Less than a second", "3 seconds", "About a minute". */
const DURATION = /\b(Less than a second|About an? (minute|hour)|an? (minute|hour)|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?))( ago)?/g;

/** One line as the comparison sees it. */
function normalise(line: string): string {
  return (
    line
      // Ids are each engine's own: containers' are random, images' digest each engine's own config JSON.
      // docker's "Deleted: sha256:ID" where podman writes "Deleted: ID": the prefix goes with the id.
      .replace(/\b(sha256:)?[0-9a-f]{64}\b/g, '<ID>')
      .replace(/\b[0-9a-f]{12}\b/g, '<ID>')
      // Times: when each engine ran the step. Also podman's "Up 3 seconds ago" is docker's
      // "Up 3 seconds" (husk keeps docker's spelling where the two differ).
      .replace(DURATION, '<DURATION>')
      // Sizes: each engine counts the unpacked layer its own way, and podman writes "2.91 MB"
      // where docker writes "2.91MB".
      .replace(/\b\d+(\.\d+)? ?[kKMGT]?B\b/g, '<SIZE>')
      // Table columns: podman pads them with two spaces, docker with three.
      .replace(/ {2,}/g, '  ')
      .trimEnd()
  );
}

/** A step's result as lines: stdout, then its Error: lines, then the exit status. */
function transcript(s: Step, r: Result): string[] {
  let out = lines(r.stdout).map(normalise);
  if (s.unordered) out = out.sort();
  // stderr: only the errors. podman also writes its progress ("Copying blob") and
  // warnings (level=warning msg=...) there, which no script reads.
  const errors = lines(r.stderr)
    .filter((l) => l.startsWith('Error:'))
    .map((l) => `stderr: ${normalise(l)}`);
  return [...out, ...errors, `exit ${r.code}`];
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * podman, as the mode's user, with everything under a husk test instance's
 * temp dir (its storage, run and tmp dirs, networks, HOME, XDG dirs): nothing
 * of this machine's podman state is read or touched. Containers get no
 * network (netns "none"): root podman would otherwise set up a bridge and
 * firewall rules on the host, and the script needs none.
 */
class Podman {
  private readonly dir: string;
  private readonly conf: string;

  constructor(private readonly sandbox: Husk) {
    this.dir = path.join(sandbox.dir, 'p');
    const conf = fs.readFileSync(PODMAN_CONF, 'utf8').replace(/^\[containers\]$/m, '[containers]\nnetns = "none"');
    this.conf = sandbox.writeFile('containers.conf', conf);
  }

  private get globals(): string[] {
    const d = this.dir;
    // podman 4.3 would pick vfs for a fresh rootless store; the rest keeps it off systemd and /etc.
    return ['--root', `${d}/root`, '--runroot', `${d}/run`, '--tmpdir', `${d}/tmp`, '--network-config-dir', `${d}/net`,
      '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay'];
  }

  async init(): Promise<void> {
    const r = await this.sandbox.runShell(`mkdir -p ${this.dir}/home`);
    if (r.code !== 0) throw new Error(`mkdir: ${r.stderr}`);
  }

  run(args: string[]): Promise<Result> {
    const cmd = ['exec', 'podman', ...this.globals, ...args].map(quote).join(' ');
    return this.sandbox.runShell(cmd, { env: { CONTAINERS_CONF: this.conf, HOME: `${this.dir}/home` }, timeoutMs: 120_000 });
  }

  /** Its containers, then the rootless pause process it left (catatonit, holding the user namespace), then the files. */
  async cleanup(): Promise<void> {
    await this.run(['rm', '-f', '-t', '0', '-a']).catch(() => undefined);
    try {
      const pid = Number(fs.readFileSync(`${this.dir}/tmp/pause.pid`, 'utf8'));
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('catatonit')) process.kill(pid, 'SIGKILL');
    } catch {
      /* root podman has none, or it is gone */
    }
    await this.sandbox.cleanup();
  }
}

if (!havePodman) {
  void t.skip('podman is not installed: nothing to compare husk with', () => {});
} else {
  t.comment(podmanVersion.stdout.trim());
  for (const mode of modes()) {
    t.test(mode, async (t) => {
      const h = await newHusk(mode);
      t.teardown(() => h.cleanup());
      const podman = new Podman(await newHusk(mode));
      t.teardown(() => podman.cleanup());
      await podman.init();

      const steps = script(fixtures.busyboxTar);
      const podmanSays: string[][] = [];
      for (const s of steps) podmanSays.push(transcript(s, await podman.run(s.args)));
      // Without podman's own image and container there is nothing to compare with.
      if (podmanSays.slice(0, 2).some((said) => said.at(-1) !== 'exit 0')) {
        t.fail(`podman itself failed to set up: ${JSON.stringify(podmanSays.slice(0, 2))}`);
        return;
      }
      const huskSays: string[][] = [];
      for (const s of steps) huskSays.push(transcript(s, await h.run(s.args, { timeoutMs: 120_000 })));

      steps.forEach((s, i) => {
        const [said, want] = [huskSays[i]!, podmanSays[i]!];
        const same = said.join('\n') === want.join('\n');
        // Both transcripts in full, one line each: what a fix has to change, at a glance.
        t.ok(same, `${i + 1}. ${s.args.map(quote).join(' ')}`, { diagnostic: false });
        if (!same) t.comment(`podman: ${want.join(' | ')}\nhusk:   ${said.join(' | ')}`);
      });
    });
  }
}
