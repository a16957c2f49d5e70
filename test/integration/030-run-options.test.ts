// husk run options, checked from inside the container.
import fs from 'node:fs';
import t from 'tap';
import { CAP, capCount, fixtures, hasCap, lines, modes, newHusk, parseProbe } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const run = (...args: string[]) => h.run(['run', '--rm', ...args]);
    const probe = async (...opts: string[]) => {
      const r = await run(...opts, 'busybox', 'probe');
      if (r.code !== 0) throw new Error(`probe with ${opts.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
      return parseProbe(r.stdout);
    };

    t.test('-e sets variables, -e NAME passes the caller value', async (t) => {
      const r = await run('-e', 'FOO=bar', '-e', 'EMPTY=', '-e', 'SPACED=a b  c', '-e', 'EQ=x=y', 'busybox', 'sh', '-c', 'echo "$FOO|$EMPTY|$SPACED|$EQ"');
      t.same([r.code, r.stdout], [0, 'bar||a b  c|x=y\n']);
      const pass = await h.run(['run', '--rm', '-e', 'FROM_CALLER', 'busybox', 'sh', '-c', 'echo "$FROM_CALLER"'], {
        env: { FROM_CALLER: 'passed' },
      });
      t.equal(pass.stdout, 'passed\n', '-e NAME takes the value from husk\'s environment');
    });

    t.test('default environment', async (t) => {
      const r = await run('busybox', 'env');
      t.equal(r.code, 0);
      const env = Object.fromEntries(lines(r.stdout).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      t.match(env.PATH, /\/usr\/local\/sbin:.*\/bin/, 'PATH is set');
      t.ok(env.HOSTNAME, 'HOSTNAME is set');
      t.equal(env.HOME, '/root', 'HOME is root\'s home');
      t.notOk(env.XDG_RUNTIME_DIR, 'the caller environment does not leak in');
    });

    t.test('--env-file', async (t) => {
      const f = h.writeFile('env.list', '# a comment\n\nA=1\nB=two words\nC=\n');
      const r = await run('--env-file', f, 'busybox', 'sh', '-c', 'echo "$A|$B|${C-unset}"');
      t.same([r.code, r.stdout], [0, '1|two words|\n']);
      const both = await run('--env-file', f, '-e', 'A=override', 'busybox', 'sh', '-c', 'echo "$A"');
      t.equal(both.stdout, 'override\n', '-e wins over --env-file');
    });

    t.test('-w sets the working directory (created if missing)', async (t) => {
      const r = await run('-w', '/tmp', 'busybox', 'pwd');
      t.same([r.code, r.stdout], [0, '/tmp\n']);
      const made = await run('-w', '/new/dir', 'busybox', 'pwd');
      t.same([made.code, made.stdout], [0, '/new/dir\n'], 'a missing directory is created');
    });

    t.test('bad values name what was typed: --stop-timeout abc (not NaN), -w relative (not silently taken from /)', async (t) => {
      const ids = await h.containerIds();
      for (const verb of ['run', 'create']) {
        const nan = await h.run([verb, '--stop-timeout', 'abc', 'busybox', 'true']);
        t.equal(nan.code, 125, `${verb} --stop-timeout abc: exit 125`);
        t.match(nan.stderr, /^Error: invalid argument "abc" for "--stop-timeout": a number is expected/);
        t.notMatch(nan.stderr, /NaN/);
        const rel = await h.run([verb, '-w', 'relative', 'busybox', 'pwd']);
        t.equal(rel.code, 125, `${verb} -w relative: exit 125, as docker`);
        t.equal(rel.stdout, '', `${verb} -w relative: nothing ran`);
        t.match(rel.stderr, /^Error: invalid --workdir "relative": must be an absolute path\n$/);
      }
      t.same(await h.containerIds(), ids, 'no container was made');
    });

    t.test('-u selects user and groups', async (t) => {
      const byName = await run('-u', 'app', 'busybox', 'id');
      t.equal(byName.code, 0);
      t.match(byName.stdout, /^uid=1000\(app\) gid=1000\(app\)/, '-u app: uid and primary group from /etc/passwd');
      t.match(byName.stdout, /groups=.*2000\(extra\)/, '-u app: supplementary groups from /etc/group');
      const ids = await run('-u', '1000:1000', 'busybox', 'sh', '-c', 'id -u; id -g');
      t.same([ids.code, ids.stdout], [0, '1000\n1000\n'], '-u 1000:1000');
      const grp = await run('-u', 'app:extra', 'busybox', 'sh', '-c', 'id -u; id -g');
      t.same([grp.code, grp.stdout], [0, '1000\n2000\n'], '-u app:extra');
      const unknown = await run('-u', '4242', 'busybox', 'id', '-u');
      t.same([unknown.code, unknown.stdout], [0, '4242\n'], 'a numeric uid not in /etc/passwd works');
      const p = await probe('-u', 'app');
      t.equal(p.capEff, '0000000000000000', 'a non-root user has no effective capabilities');
      const home = await run('-u', 'app', 'busybox', 'sh', '-c', 'echo $HOME; touch ~/f && echo ok');
      t.equal(home.stdout, '/home/app\nok\n', 'HOME of app, writable');
      const noUser = await run('-u', 'nosuchuser', 'busybox', 'true');
      t.equal(noUser.code, 125, 'an unknown user name is a husk error (125)');
      t.equal(lines(noUser.stderr).length, 1, 'with one line on stderr');
    });

    t.test('--entrypoint', async (t) => {
      const r = await run('--entrypoint', '/bin/echo', 'busybox', 'a', 'b');
      t.same([r.code, r.stdout], [0, 'a b\n']);
      const noArgs = await run('--entrypoint', 'hostname', 'busybox');
      t.equal(noArgs.code, 0, 'the image CMD is not appended to a new entrypoint');
      t.equal(lines(noArgs.stdout).length, 1);
    });

    t.test('--hostname', async (t) => {
      const p = await probe('--hostname', 'myhost');
      t.equal(p.hostname, 'myhost');
      const env = await run('--hostname', 'myhost', 'busybox', 'sh', '-c', 'echo $HOSTNAME; cat /etc/hostname');
      t.equal(env.stdout, 'myhost\nmyhost\n', '$HOSTNAME and /etc/hostname agree');
    });

    t.test('--cap-add / --cap-drop', async (t) => {
      const dropped = await probe('--cap-drop', 'CHOWN');
      t.notOk(hasCap(dropped.capEff, CAP.CHOWN), '--cap-drop CHOWN clears CAP_CHOWN');
      t.ok(hasCap(dropped.capEff, CAP.SETUID), 'the other defaults stay');
      const added = await probe('--cap-add', 'SYS_ADMIN');
      t.ok(hasCap(added.capEff, CAP.SYS_ADMIN), '--cap-add SYS_ADMIN sets CAP_SYS_ADMIN');
      const prefixed = await probe('--cap-add', 'cap_net_admin');
      t.ok(hasCap(prefixed.capEff, CAP.NET_ADMIN), 'cap_ prefix and lower case are accepted');
      const none = await probe('--cap-drop', 'all');
      t.equal(none.capEff, '0000000000000000', '--cap-drop all leaves nothing');
      const one = await probe('--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE');
      t.equal(one.capEff, (1n << BigInt(CAP.NET_BIND_SERVICE)).toString(16).padStart(16, '0'), 'drop ALL + add one = exactly that one');
      const chown = await run('--cap-drop', 'CHOWN', 'busybox', 'sh', '-c', 'touch /f && chown 1000 /f');
      t.not(chown.code, 0, 'chown fails without CAP_CHOWN');
      t.match(chown.stderr, /Operation not permitted/);
      const bad = await run('--cap-add', 'NOT_A_CAP', 'busybox', 'true');
      t.equal(bad.code, 125, 'an unknown capability is a husk error (125)');
      t.match(bad.stderr, /NOT_A_CAP/i, 'naming the bad capability');
    });

    t.test('--privileged', async (t) => {
      const p = await probe('--privileged');
      t.ok(hasCap(p.capEff, CAP.SYS_ADMIN), 'CAP_SYS_ADMIN');
      t.ok(capCount(p.capEff) >= 38, `(nearly) all capabilities (${capCount(p.capEff)} in ${p.capEff})`);
      t.equal(p.seccomp, 0, 'no seccomp filter');
      const m = await run('--privileged', 'busybox', 'sh', '-c', 'mkdir -p /mnt; mount -t tmpfs none /mnt && echo mounted');
      t.same([m.code, m.stdout], [0, 'mounted\n'], 'can mount');
    });

    t.test('--device passes a host device in', async (t) => {
      const hp = ['-v', `${fixtures.hostileProbe}:/hp:ro`];
      const opens = async (...args: string[]) => {
        const r = await run(...hp, ...args);
        t.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as Record<string, { read: number; write: number }>;
      };
      t.same(await opens('busybox', '/hp', 'open', '/dev/fuse'), { '/dev/fuse': { read: 2, write: 2 } }, 'no /dev/fuse without it');
      t.same(await opens('--device', '/dev/fuse', 'busybox', '/hp', 'open', '/dev/fuse'), { '/dev/fuse': { read: 0, write: 0 } }, '--device /dev/fuse opens');
      const st = await run('--device', '/dev/fuse:/dev/other', 'busybox', 'stat', '-c', '%F %t:%T', '/dev/other');
      t.same([st.code, st.stdout], [0, 'character special file a:e5\n'], 'at another path: the same node (10:229)');
      if (mode === 'root') {
        t.same(await opens('--device', '/dev/fuse:/dev/fuse:r', 'busybox', '/hp', 'open', '/dev/fuse'), { '/dev/fuse': { read: 0, write: 1 } }, 'permissions r: reading only (EPERM for writing)');
      }
      for (const bad of ['/dev/nonexistent', '/etc/passwd', 'dev/fuse', '/dev/fuse:/dev/fuse:rwx']) {
        const r = await run('--device', bad, 'busybox', 'true');
        t.same([r.code, lines(r.stderr).length], [125, 1], `--device ${bad}: ${r.stderr.trim()}`);
      }
    });

    t.test('--device-cgroup-rule allows devices by number, as root', async (t) => {
      // 10:229 is /dev/fuse, which is not on the default list and harmless to open.
      const k = ['-v', `${fixtures.hostileProbe}:/hp:ro`, '--cap-add', 'MKNOD', 'busybox', 'sh', '-c', 'mknod /tmp/k c 10 229 && /hp open /tmp/k'];
      if (mode === 'rootless') {
        const r = await run('--device-cgroup-rule', 'c 10:229 r', ...k);
        t.equal(r.code, 125, 'refused rootless');
        t.match(r.stderr, /--device-cgroup-rule needs a devices cgroup/);
        return;
      }
      const none = await run(...k);
      t.same([none.code, JSON.parse(none.stdout)], [0, { '/tmp/k': { read: 1, write: 1 } }], 'a node the container makes cannot be opened');
      const r = await run('--device-cgroup-rule', 'c 10:229 r', ...k);
      t.same([r.code, JSON.parse(r.stdout)], [0, { '/tmp/k': { read: 0, write: 1 } }], 'with "c 10:229 r" it can be read, not written');
      const star = await run('--device-cgroup-rule', 'c 10:* rw', ...k);
      t.same([star.code, JSON.parse(star.stdout)], [0, { '/tmp/k': { read: 0, write: 0 } }], '"c 10:* rw": any minor');
      const bad = await run('--device-cgroup-rule', 'c 1:11 rwx', 'busybox', 'true');
      t.same([bad.code, lines(bad.stderr).length], [125, 1], `a bad rule: ${bad.stderr.trim()}`);
    });

    t.test('--read-only', async (t) => {
      const p = await probe('--read-only');
      t.equal(p.rootWritable, false, '/ is not writable');
      const r = await run('--read-only', 'busybox', 'touch', '/etc/x');
      t.not(r.code, 0, 'writing fails');
      t.match(r.stderr, /Read-only file system/);
    });

    t.test('--security-opt seccomp=unconfined', async (t) => {
      const p = await probe('--security-opt', 'seccomp=unconfined');
      t.equal(p.seccomp, 0, 'Seccomp: 0');
    });

    t.test('--security-opt seccomp=FILE', async (t) => {
      const profile = h.writeFile(
        'seccomp.json',
        JSON.stringify({
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
        }),
      );
      const p = await probe('--security-opt', `seccomp=${profile}`);
      t.equal(p.seccomp, 2, 'a filter is installed');
      const r = await run('--security-opt', `seccomp=${profile}`, 'busybox', 'sh', '-c', 'touch /tmp/f && echo touched; mkdir /tmp/d');
      t.equal(r.stdout, 'touched\n', 'other system calls work');
      t.not(r.code, 0, 'mkdir fails');
      t.match(r.stderr, /Operation not permitted/, 'with EPERM');
      const missing = await run('--security-opt', 'seccomp=/nonexistent/profile.json', 'busybox', 'true');
      t.equal(missing.code, 125, 'a missing profile is a husk error (125)');
      const broken = await run('--security-opt', `seccomp=${h.writeFile('bad.json', '{ not json')}`, 'busybox', 'true');
      t.equal(broken.code, 125, 'an invalid profile is a husk error (125)');
    });

    t.test('--security-opt no-new-privileges', async (t) => {
      const without = await probe();
      t.equal(without.noNewPrivs, false, 'off by default');
      const p = await probe('--security-opt', 'no-new-privileges');
      t.equal(p.noNewPrivs, true, 'NoNewPrivs set');
    });

    t.test('--userns keep-id', { skip: mode === 'root' ? 'keep-id is for rootless mode' : false }, async (t) => {
      const r = await run('--userns', 'keep-id', 'busybox', 'sh', '-c', 'id -u; id -g');
      t.same([r.code, r.stdout], [0, `${h.uid}\n${h.gid}\n`], 'id -u inside equals the user\'s uid outside');
      const eq = await run('--userns=keep-id', 'busybox', 'id', '-u');
      t.equal(eq.stdout, `${h.uid}\n`, '--userns=keep-id spelling');
    });

    t.test('--network none', async (t) => {
      const p = await probe('--network', 'none');
      t.same(p.netIfaces, ['lo'], 'only loopback');
    });

    t.test('--network host', async (t) => {
      // Veths and bridges of containers that other test files run meanwhile come and go: the lasting interfaces are compared.
      const lasting = (names: string[]) => names.filter((n) => !/^(vh|veth|husk\d)/.test(n)).sort();
      const hostIfaces = lasting(
        fs
          .readFileSync('/proc/net/dev', 'utf8')
          .split('\n')
          .slice(2)
          .map((l) => l.split(':')[0]!.trim())
          .filter(Boolean),
      );
      const p = await probe('--network', 'host');
      t.same(lasting(p.netIfaces ?? []), hostIfaces, 'the host interfaces');
      t.ok(hostIfaces.includes('lo') && hostIfaces.length > 1, 'more than a namespace of its own would have');
    });
  });
}
