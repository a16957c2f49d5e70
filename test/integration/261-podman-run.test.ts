// podman's flags of run and create, flag by flag: each one either does what
// podman documents (an effect seen inside the container), or is refused
// (exit 125, a message naming why) or ignored with a warning. Then secrets,
// /run/.containerenv, keep-id's passwd entry and the behaviour fixes.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { modes, newHusk } from '../helpers/husk.js';

interface Effective {
  name: string;
  args: string[];
  /** What the container prints. */
  stdout: RegExp;
  env?: Record<string, string>;
}

const EFFECTIVE: Effective[] = [
  { name: 'JSON --entrypoint', args: ['--entrypoint=["/bin/echo","X"]', 'busybox', 'Y'], stdout: /^X Y\n$/ },
  { name: 'plain --entrypoint', args: ['--entrypoint=/bin/echo', 'busybox', 'Y'], stdout: /^Y\n$/ },
  { name: '-t sets TERM=xterm', args: ['-t', 'busybox', 'sh', '-c', 'echo T=$TERM'], stdout: /T=xterm/ },
  { name: '-t keeps a TERM given', args: ['-t', '-e', 'TERM=vt100', 'busybox', 'sh', '-c', 'echo T=$TERM'], stdout: /T=vt100/ },
  { name: '--umask', args: ['--umask', '077', 'busybox', 'sh', '-c', 'umask'], stdout: /^0077\n$/ },
  { name: '--group-add', args: ['--group-add', '10', 'busybox', 'id', '-G'], stdout: /\b10\b/ },
  { name: '--unsetenv', args: ['--unsetenv', 'container', 'busybox', 'sh', '-c', 'echo "c=$container"'], stdout: /^c=\n$/ },
  { name: '--unsetenv-all', args: ['--unsetenv-all', '-e', 'A=1', 'busybox', 'sh', '-c', 'echo "$container/$A"'], stdout: /^\/1\n$/ },
  { name: '--env-merge', args: ['--env-merge', 'PATH=/x:${PATH}', 'busybox', 'sh', '-c', 'echo $PATH'], stdout: /^\/x:\/usr\/local\/sbin:/ },
  { name: '--env-host', args: ['--env-host', 'busybox', 'sh', '-c', 'echo $P16_HOSTVAR'], stdout: /^hostval\n$/, env: { P16_HOSTVAR: 'hostval' } },
  { name: '--http-proxy (default on)', args: ['busybox', 'sh', '-c', 'echo "p=$http_proxy"'], stdout: /^p=http:\/\/127\.0\.0\.1:3128\n$/, env: { http_proxy: 'http://127.0.0.1:3128' } },
  { name: '--http-proxy=false', args: ['--http-proxy=false', 'busybox', 'sh', '-c', 'echo "p=$http_proxy"'], stdout: /^p=\n$/, env: { http_proxy: 'http://127.0.0.1:3128' } },
  { name: '--tz', args: ['--tz', 'Asia/Tokyo', 'busybox', 'date', '+%Z'], stdout: /^JST\n$/ },
  { name: '--passwd-entry', args: ['--user', '1234', '--passwd-entry', 'u$UID:x:$UID:$GID::/:/bin/sh', 'busybox', 'id', '-un'], stdout: /^u1234\n$/ },
  { name: 'a numeric --user gets a passwd line', args: ['--user', '4321', 'busybox', 'id', '-un'], stdout: /^4321\n$/ },
  { name: '--passwd=false adds none', args: ['--passwd=false', '--user', '4321', 'busybox', 'sh', '-c', 'grep -c 4321 /etc/passwd; true'], stdout: /^0\n$/ },
  { name: '--group-entry', args: ['--user', '1234:777', '--group-entry', 'g$GID:x:$GID:', 'busybox', 'id', '-gn'], stdout: /^g777\n$/ },
  { name: '--annotation is in the OCI config', args: ['--annotation', 'a=b', 'busybox', 'true'], stdout: /^$/ },
  { name: '--no-hostname keeps the image\'s', args: ['--no-hostname', '--hostname', 'zz', 'busybox', 'sh', '-c', 'cat /etc/hostname 2>/dev/null | grep -c zz; true'], stdout: /^0\n$/ },
  { name: '--read-only: /tmp is a tmpfs', args: ['--read-only', 'busybox', 'sh', '-c', 'touch /tmp/x && echo ok'], stdout: /^ok\n$/ },
  { name: '--read-only-tmpfs=false: /tmp read-only', args: ['--read-only', '--read-only-tmpfs=false', 'busybox', 'sh', '-c', 'touch /tmp/x 2>/dev/null || echo ro'], stdout: /^ro\n$/ },
  { name: '-a stdout: stderr not attached', args: ['-a', 'stdout', 'busybox', 'sh', '-c', 'echo out; echo err >&2'], stdout: /^out\n$/ },
  { name: 'identical -v twice', args: ['-v', '/etc:/x:ro', '-v', '/etc:/x:ro', 'busybox', 'sh', '-c', 'test -f /x/hostname && echo ok'], stdout: /^ok\n$/ },
  { name: '--pull=never of a local image', args: ['--pull=never', 'busybox', 'echo', 'ok'], stdout: /^ok\n$/ },
  { name: '--log-driver json-file', args: ['--log-driver', 'json-file', 'busybox', 'echo', 'ok'], stdout: /^ok\n$/ },
  { name: '--systemd=false', args: ['--systemd=false', 'busybox', 'echo', 'ok'], stdout: /^ok\n$/ },
  { name: '--systemd=always mounts tmpfs on /run', args: ['--systemd=always', 'busybox', 'sh', '-c', 'grep -c " /run tmpfs" /proc/mounts'], stdout: /^1\n$/ },
  { name: '--image-volume=ignore', args: ['--image-volume=ignore', 'busybox', 'echo', 'ok'], stdout: /^ok\n$/ },
  { name: '--ipc=private --uts=private --pid=private', args: ['--ipc=private', '--uts', 'private', '--pid', 'private', 'busybox', 'echo', 'ok'], stdout: /^ok\n$/ },
  { name: '--mount type=ramfs', args: ['--mount', 'type=ramfs,dst=/r', 'busybox', 'sh', '-c', 'grep -c " /r ramfs " /proc/mounts'], stdout: /^1\n$/ },
  { name: '--mount type=devpts', args: ['--mount', 'type=devpts,destination=/dev/pts2', 'busybox', 'sh', '-c', 'grep -c " /dev/pts2 devpts " /proc/mounts'], stdout: /^1\n$/ },
  { name: '--userns=host', args: ['--userns=host', 'busybox', 'echo', 'ok'], stdout: /^ok\n$/ },
];

const REFUSED: Array<[string, string[], RegExp]> = [
  ['--uidmap', ['--uidmap', '0:1:1'], /--uidmap is not supported: husk maps IDs itself/],
  ['--gidmap', ['--gidmap', '0:1:1'], /--gidmap is not supported/],
  ['--subuidname', ['--subuidname', 'x'], /--subuidname is not supported/],
  ['--userns=auto', ['--userns=auto'], /--userns=auto is not supported: husk gives each user one subordinate ID range/],
  ['--userns=nomap', ['--userns=nomap'], /--userns=nomap is not supported/],
  ['--userns=bogus', ['--userns=bogus'], /invalid --userns "bogus"/],
  ['--log-driver journald', ['--log-driver', 'journald'], /--log-driver journald is not supported/],
  ['--log-driver passthrough', ['--log-driver', 'passthrough'], /--log-driver passthrough is not supported/],
  ['--log-driver bogus', ['--log-driver', 'bogus'], /invalid --log-driver "bogus"/],
  ['--log-opt bogus', ['--log-opt', 'x=y'], /invalid --log-opt "x=y"/],
  ['--pull bogus', ['--pull', 'bogus'], /unsupported pull policy "bogus"/],
  ['--systemd bogus', ['--systemd', 'bogus'], /invalid --systemd "bogus": use true, false or always/],
  ['--preserve-fd', ['--preserve-fd', '3'], /--preserve-fd is not supported: husk passes a range of file descriptors/],
  ['--rootfs', ['--rootfs'], /--rootfs is not supported/],
  ['--gpus', ['--gpus', 'all'], /--gpus is not supported/],
  ['--sysctl', ['--sysctl', 'net.ipv4.ip_forward=1'], /--sysctl is not supported/],
  ['--pid=host', ['--pid=host'], /--pid=host is not supported/],
  ['--umask bad', ['--umask', '99'], /invalid --umask "99"/],
  ['--tz bad', ['--tz', 'No/Where'], /invalid --tz "No\/Where"/],
  ['--platform with --arch', ['--platform', 'linux/amd64', '--arch', 'arm64'], /--platform and --arch/],
  ['--attach bogus', ['-a', 'stdfoo'], /invalid --attach "stdfoo"/],
  ['--rmi without --rm', ['--rmi'], /--rmi needs --rm/],
  ['--secret missing', ['--secret', 'nosuchsecret'], /nosuchsecret: no such secret/],
  ['--requires missing', ['--requires', 'nosuchctr'], /nosuchctr/],
  ['--health-startup-cmd', ['--health-startup-cmd', 'true'], /--health-startup-cmd is not supported/],
  ['conflicting -v', ['-v', '/etc:/x', '-v', '/tmp:/x'], /\/x: duplicate mount destination/],
  ['--mount type=image', ['--mount', 'type=image,source=busybox,dst=/i'], /type=image is not supported/],
  ['--timeout with -d', ['-d', '--timeout', '5'], /--timeout is supported only by a foreground run/],
  ['--health-on-failure=kill', ['--health-on-failure=kill'], /--health-on-failure=kill is not supported/],
];

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    t.test('flags that work: the effect inside the container', async (t) => {
      for (const c of EFFECTIVE) {
        const r = await h.run(['run', '--rm', ...c.args], { env: c.env });
        t.equal(r.code, 0, `${c.name}: exit 0 (${r.stderr.trim()})`);
        t.match(r.stdout.replace(/\r/g, ''), c.stdout, c.name);
      }
    });

    t.test('flags refused: exit 125 and the reason, run and create alike', async (t) => {
      for (const [name, args, message] of REFUSED) {
        for (const verb of ['run', 'create']) {
          if (verb === 'create' && ['--rmi', '--preserve-fd', '-d'].includes(args[0]!)) continue; // run's only
          const r = await h.run([verb, ...(verb === 'run' && args[0] !== '--rmi' ? ['--rm'] : []), ...args, 'busybox', 'true']);
          t.equal(r.code, 125, `${verb} ${name}: exit 125`);
          t.match(r.stderr, message, `${verb} ${name}: says why`);
        }
      }
      t.equal((await h.run(['ps', '-aq'])).stdout, '', 'nothing was created');
    });

    t.test('--mount type=glob: a bind mount per matching file', async (t) => {
      const dir = path.join(h.dir, 'files', 'glob');
      fs.mkdirSync(dir);
      for (const f of ['a.conf', 'b.conf', 'c.txt']) fs.writeFileSync(path.join(dir, f), f);
      fs.chmodSync(dir, 0o755);
      const r = await h.run(['run', '--rm', '--mount', `type=glob,src=${dir}/*.conf,dst=/etc/app,ro`, 'busybox', 'sh', '-c', 'ls /etc/app; cat /etc/app/b.conf; echo; touch /etc/app/a.conf 2>/dev/null || echo ro']);
      t.same([r.code, r.stdout], [0, 'a.conf\nb.conf\nb.conf\nro\n'], r.stderr);
      const none = await h.run(['run', '--rm', '--mount', `type=glob,src=${dir}/*.none,dst=/x`, 'busybox', 'true']);
      t.equal(none.code, 125);
      t.match(none.stderr, /no file matches/);
    });

    t.test('ignored flags warn and run', async (t) => {
      const r = await h.run(['run', '--rm', '--cpu-rt-period', '1000', '--disable-content-trust', 'busybox', 'echo', 'ok']);
      t.same([r.code, r.stdout], [0, 'ok\n']);
      t.match(r.stderr, /WARN: --cpu-rt-period is ignored: cgroup v2 has no real-time CPU controller/);
      t.match(r.stderr, /WARN: --disable-content-trust is ignored/);
    });

    t.test('/run/.containerenv: empty, and filled with --privileged', async (t) => {
      const plain = await h.run(['run', '--rm', 'busybox', 'sh', '-c', 'test -f /run/.containerenv && wc -c < /run/.containerenv']);
      t.same([plain.code, plain.stdout.trim()], [0, '0'], 'exists, empty (as podman)');
      const priv = await h.run(['run', '--rm', '--privileged', '--name', 'cenv', 'busybox', 'cat', '/run/.containerenv']);
      t.equal(priv.code, 0);
      t.match(priv.stdout, /^engine="husk-[^"]+"\nname="cenv"\nid="[0-9a-f]{64}"\nimage="localhost\/busybox:latest"\nimageid="[0-9a-f]{64}"\n/);
      t.match(priv.stdout, new RegExp(`rootless=${mode === 'rootless' ? 1 : 0}\n$`));
    });

    t.test('--pidfile, --log-opt path=, --log-driver none, --cidfile with create', async (t) => {
      const pidfile = path.join(h.dir, 'files', 'pid');
      const logfile = path.join(h.dir, 'files', 'ctr.log');
      const r = await h.run(['run', '-d', '--name', 'pf', '--pidfile', pidfile, '--log-opt', `path=${logfile}`, 'busybox', 'sh', '-c', 'echo logged; sleep 600']);
      t.equal(r.code, 0, r.stderr);
      t.match(fs.readFileSync(pidfile, 'utf8'), /^\d+\n$/, 'the pid is written');
      const pid = Number(fs.readFileSync(pidfile, 'utf8'));
      t.ok(fs.existsSync(`/proc/${pid}`), 'and is a live process');
      let logs = '';
      for (let i = 0; i < 50 && !logs.includes('logged'); i++) {
        logs = (await h.run(['logs', 'pf'])).stdout;
        if (!logs.includes('logged')) await new Promise((res) => setTimeout(res, 100));
      }
      t.equal(logs, 'logged\n', 'logs reads the file --log-opt path= names');
      t.match(fs.readFileSync(logfile, 'utf8'), /logged/, 'the output is in that file');
      await h.run(['rm', '-f', 'pf']);
      const none = await h.run(['run', '--name', 'nolog', '--log-driver', 'none', 'busybox', 'echo', 'hidden']);
      t.same([none.code, none.stdout], [0, 'hidden\n'], 'the session still sees the output');
      t.equal((await h.run(['logs', 'nolog'])).stdout, '', 'nothing is kept');
    });

    t.test('--rmi: the image named goes with the container', async (t) => {
      t.equal((await h.run(['tag', 'busybox', 'localhost/rmime:1'])).code, 0);
      const r = await h.run(['run', '--rm', '--rmi', 'localhost/rmime:1', 'echo', 'ok']);
      t.same([r.code, r.stdout], [0, 'ok\n'], r.stderr);
      t.equal((await h.run(['images', '-q', 'localhost/rmime'])).stdout, '', 'gone');
      t.not((await h.run(['images', '-q', 'busybox'])).stdout, '', 'its other name stays');
    });

    t.test('--hostuser: the host\'s passwd line of that user', async (t) => {
      const inImage = (await h.run(['run', '--rm', 'busybox', 'cut', '-d:', '-f1', '/etc/passwd'])).stdout.split('\n');
      const host = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':').length >= 7 && !inImage.includes(l.split(':')[0]!));
      if (!host) {
        t.pass('every host user is in the image: nothing to add');
        return;
      }
      const r = await h.run(['run', '--rm', '--hostuser', host.split(':')[0]!, 'busybox', 'tail', '-1', '/etc/passwd']);
      t.same([r.code, r.stdout], [0, `${host}\n`], r.stderr);
      const bad = await h.run(['run', '--rm', '--hostuser', 'no-such-user-p16', 'busybox', 'true']);
      t.same([bad.code, bad.stderr], [125, 'Error: --hostuser no-such-user-p16: no such user on the host\n']);
    });

    t.test('--requires starts the container named first', async (t) => {
      t.equal((await h.run(['create', '--name', 'dep', 'busybox', 'sleep', '600'])).code, 0);
      const r = await h.run(['run', '--rm', '--requires', 'dep', 'busybox', 'true']);
      t.equal(r.code, 0, r.stderr);
      t.equal((await h.run(['inspect', '--format', '{{.State.Status}}', 'dep'])).stdout.trim(), 'running');
      await h.run(['rm', '-f', 'dep']);
    });

    t.test('--timeout kills the container', async (t) => {
      const started = Date.now();
      const r = await h.run(['run', '--rm', '--timeout', '1', 'busybox', 'sleep', '30']);
      t.equal(r.code, 137, 'SIGKILL');
      t.ok(Date.now() - started < 20_000, 'long before the sleep ends');
    });

    t.test('secrets: create, ls, inspect, given as a file and as a variable, rm', async (t) => {
      const src = path.join(h.dir, 'files', 'secret.txt');
      fs.writeFileSync(src, 's3cret');
      fs.chownSync(src, h.uid, h.gid);
      const c = await h.run(['secret', 'create', 'mysecret', src]);
      t.equal(c.code, 0, c.stderr);
      const id = c.stdout.trim();
      t.match(id, /^[0-9a-f]{25}$/);
      const stored = fs.readdirSync(path.join(h.root, 'secrets')).filter((f) => f.endsWith('.data'));
      t.equal(stored.length, 1);
      t.equal(fs.statSync(path.join(h.root, 'secrets', stored[0]!)).mode & 0o777, 0o600, 'the data is 0600');
      t.equal((await h.run(['secret', 'create', 'mysecret', src])).code, 125, 'a name in use');
      t.equal((await h.run(['secret', 'create', '--env', 'fromenv', 'P16_SECRET'], { env: { P16_SECRET: 'envdata' } })).code, 0);
      t.match((await h.run(['secret', 'ls', '--format', '{{.Name}}'])).stdout, /^(fromenv\nmysecret|mysecret\nfromenv)\n$/);
      const ins = JSON.parse((await h.run(['secret', 'inspect', '--showsecret', 'mysecret'])).stdout) as Array<{ ID: string; Spec: { Name: string }; SecretData: string }>;
      t.same([ins[0]!.ID, ins[0]!.Spec.Name, ins[0]!.SecretData], [id, 'mysecret', 's3cret']);
      const file = await h.run(['run', '--rm', '--secret', 'mysecret', 'busybox', 'cat', '/run/secrets/mysecret']);
      t.same([file.code, file.stdout], [0, 's3cret'], 'at /run/secrets/NAME');
      const target = await h.run(['run', '--rm', '--secret', 'mysecret,target=other,mode=0400', 'busybox', 'stat', '-c', '%a', '/run/secrets/other']);
      t.same([target.code, target.stdout], [0, '400\n'], 'target and mode');
      const env = await h.run(['run', '--rm', '--secret', 'fromenv,type=env,target=TOKEN', 'busybox', 'sh', '-c', 'echo $TOKEN']);
      t.same([env.code, env.stdout], [0, 'envdata\n'], 'as a variable');
      const rm = await h.run(['secret', 'rm', 'mysecret', 'fromenv']);
      t.equal(rm.code, 0);
      t.equal((await h.run(['secret', 'ls', '-q'])).stdout, '');
      t.equal((await h.run(['secret', 'rm', 'mysecret'])).code, 125, 'gone');
      t.equal((await h.run(['secret', 'rm', '--ignore', 'mysecret'])).code, 0, '--ignore');
    });

    if (mode === 'rootless') {
      t.test('--userns=keep-id: the user has a passwd and a group entry', async (t) => {
        const r = await h.run(['run', '--rm', '--userns=keep-id', 'busybox', 'sh', '-c', 'id -u; id -un; id -gn']);
        t.equal(r.code, 0, r.stderr);
        const [uid, name, group] = r.stdout.trim().split('\n');
        t.equal(uid, String(h.uid));
        t.not(name, uid, `id names the user (${name})`);
        t.notMatch(r.stdout, /unknown/);
        t.ok(group && group !== String(h.gid), `and the group (${group})`);
        const as = await h.run(['run', '--rm', '--userns=keep-id:uid=200,gid=300', 'busybox', 'sh', '-c', 'id -u; id -g']);
        t.same([as.code, as.stdout], [0, '200\n300\n'], 'keep-id:uid=,gid=');
        const owners = await h.run(['run', '--rm', '--userns=keep-id', '--user=0', 'busybox', 'stat', '-c', '%u:%g', '/bin/busybox', '/etc']);
        t.same([owners.code, owners.stdout], [0, '0:0\n0:0\n'], 'the image\'s root files stay root\'s, not the user\'s');
        const mine = await h.run(['run', '--rm', '--userns=keep-id', 'busybox', 'stat', '-c', '%u', '/bin/busybox']);
        t.same([mine.code, mine.stdout], [0, '0\n'], 'as the user too');
      });
    } else {
      t.test('--userns=keep-id as root: refused', async (t) => {
        const r = await h.run(['run', '--rm', '--userns=keep-id', 'busybox', 'true']);
        t.equal(r.code, 125);
        t.match(r.stderr, /keep-id is only supported when husk runs rootless/);
      });
    }
  });
}
