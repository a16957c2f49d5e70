import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CREATE_OPTIONS, parseEnvFile, parseSecurityOpts, toCreateOptions, type CreateArgs } from '../../lib/cli/run-options.js';
import { parseArgs } from '../../lib/cli/parse-args.js';
import { DEFAULT_NETWORK } from '../../lib/core/network.js';
import { tempDir, usageError } from './fixtures/helpers.js';

function withHostEnv(t: { teardown(fn: () => void): void }, vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    const old = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    t.teardown(() => {
      if (old === undefined) delete process.env[k];
      else process.env[k] = old;
    });
  }
}

function envFile(t: Parameters<typeof tempDir>[0], text: string): string {
  const file = path.join(tempDir(t), 'env');
  fs.writeFileSync(file, text);
  return file;
}

/** toCreateOptions of args(over), rootless unless said. */
function options(over: Partial<CreateArgs> = {}, rootless = true) {
  return toCreateOptions(args(over), rootless);
}

/** Arguments as yargs leaves them: flags not given (--label, --init, ...) are absent. */
function args(over: Partial<CreateArgs> = {}): CreateArgs {
  return {
    image: 'busybox', interactive: false, tty: false, rm: false, env: [], envFile: [], capAdd: [], capDrop: [],
    privileged: false, readOnly: false, securityOpt: [], network: [], ...over,
  } as CreateArgs;
}

t.test('parseEnvFile: KEY=VALUE lines, comments and blank lines skipped', async (t) => {
  const file = envFile(t, '# a comment\nA=1\n\n   \nB=two words \n  # indented comment\nC=\nD=x=y\nE=1 # not a comment\n');
  t.same(parseEnvFile(file), ['A=1', 'B=two words ', 'C=', 'D=x=y', 'E=1 # not a comment']);
});

t.test('parseEnvFile: CRLF line endings', async (t) => {
  t.same(parseEnvFile(envFile(t, 'A=1\r\nB=2\r\n\r\n#c\r\n')), ['A=1', 'B=2']);
});

t.test('parseEnvFile: a bare KEY takes the host value', async (t) => {
  withHostEnv(t, { HUSK_UNIT_SET: 'from host', HUSK_UNIT_EMPTY: '' });
  t.same(parseEnvFile(envFile(t, 'HUSK_UNIT_SET\nHUSK_UNIT_EMPTY\nX=1\n')), ['HUSK_UNIT_SET=from host', 'HUSK_UNIT_EMPTY=', 'X=1']);
});

t.test('parseEnvFile: a bare KEY unset on the host is left out', async (t) => {
  withHostEnv(t, { HUSK_UNIT_UNSET: undefined });
  const file = envFile(t, 'HUSK_UNIT_UNSET\nX=1\n');
  t.same(options({ envFile: [file] }).env, ['X=1']);
});

t.test('parseEnvFile: bad lines and missing files', async (t) => {
  const file = envFile(t, 'A=1\nBAD KEY=1\n');
  usageError(t, () => parseEnvFile(file), `--env-file ${file} line 2: invalid environment variable "BAD KEY=1": expected KEY=VALUE`);
  const eq = envFile(t, '=value\n');
  usageError(t, () => parseEnvFile(eq), `--env-file ${eq} line 1: invalid environment variable "=value"`);
  usageError(t, () => parseEnvFile('/nonexistent/husk-unit/env'), '--env-file /nonexistent/husk-unit/env: no such file');
  const dir = tempDir(t);
  usageError(t, () => parseEnvFile(dir), `--env-file ${dir}: `, /EISDIR/);
});

t.test('parseEnvFile: leading blanks before KEY', async (t) => {
  t.same(parseEnvFile(envFile(t, '  A=1\n\tB=2\n')), ['A=1', 'B=2']);
});

t.test('parseSecurityOpts: defaults', async (t) => {
  t.same(parseSecurityOpts([]), { seccomp: 'default', noNewPrivileges: false });
});

t.test('parseSecurityOpts: seccomp', async (t) => {
  t.same(parseSecurityOpts(['seccomp=unconfined']), { seccomp: 'unconfined', noNewPrivileges: false });
  t.same(parseSecurityOpts(['seccomp:unconfined']), { seccomp: 'unconfined', noNewPrivileges: false }, 'old colon form');
  const profile = path.join(tempDir(t), 'profile.json');
  fs.writeFileSync(profile, '{"defaultAction":"SCMP_ACT_ALLOW"}');
  t.same(parseSecurityOpts([`seccomp=${profile}`]), { seccomp: { file: profile }, noNewPrivileges: false });
  usageError(t, () => parseSecurityOpts(['seccomp=/nonexistent/p.json']), 'invalid --security-opt "seccomp=/nonexistent/p.json": seccomp profile /nonexistent/p.json does not exist');
  usageError(t, () => parseSecurityOpts(['seccomp=']), 'invalid --security-opt "seccomp=": use seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges');
  usageError(t, () => parseSecurityOpts(['seccomp']), 'invalid --security-opt "seccomp"');
});

t.test('parseSecurityOpts: no-new-privileges', async (t) => {
  t.same(parseSecurityOpts(['no-new-privileges']), { seccomp: 'default', noNewPrivileges: true });
  t.same(parseSecurityOpts(['no-new-privileges=true']), { seccomp: 'default', noNewPrivileges: true });
  t.same(parseSecurityOpts(['no-new-privileges:true']), { seccomp: 'default', noNewPrivileges: true });
  t.same(parseSecurityOpts(['no-new-privileges=false']), { seccomp: 'default', noNewPrivileges: false });
  t.same(parseSecurityOpts(['no-new-privileges', 'no-new-privileges=false']), { seccomp: 'default', noNewPrivileges: false }, 'last wins');
  usageError(t, () => parseSecurityOpts(['no-new-privileges=yes']), 'invalid --security-opt "no-new-privileges=yes": no-new-privileges takes true or false');
});

t.test('parseSecurityOpts: SELinux/AppArmor/mask options accepted and ignored', async (t) => {
  t.same(parseSecurityOpts(['label=disable', 'label:type:spc_t', 'apparmor=unconfined', 'mask=/proc/x', 'unmask=ALL']), { seccomp: 'default', noNewPrivileges: false });
  t.same(parseSecurityOpts(['label=disable', 'seccomp=unconfined', 'no-new-privileges']), { seccomp: 'unconfined', noNewPrivileges: true });
});

t.test('parseSecurityOpts: anything else is refused', async (t) => {
  const hint = 'use seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges';
  usageError(t, () => parseSecurityOpts(['bogus']), `invalid --security-opt "bogus": ${hint}`);
  usageError(t, () => parseSecurityOpts(['systempaths=unconfined']), `invalid --security-opt "systempaths=unconfined": ${hint}`);
  usageError(t, () => parseSecurityOpts(['']), `invalid --security-opt "": ${hint}`);
});

t.test('toCreateOptions: straight translation', async (t) => {
  t.same(options({
    command: ['ls', '-l'], name: 'c1', entrypoint: '', workdir: '/w', user: 'app', hostname: 'h', tty: true, interactive: true, rm: true,
    capAdd: ['NET_ADMIN'], capDrop: ['ALL'], privileged: true, readOnly: true, securityOpt: ['no-new-privileges'],
    device: ['/dev/fuse'], deviceCgroupRule: ['c 1:11 rwm'],
  }), {
    image: 'busybox', command: ['ls', '-l'], name: 'c1', entrypoint: '', env: [], workdir: '/w', user: 'app', hostname: 'h',
    capAdd: ['NET_ADMIN'], capDrop: ['ALL'], privileged: true, readOnly: true, security: { seccomp: 'default', noNewPrivileges: true },
    devices: ['/dev/fuse'], deviceCgroupRules: ['c 1:11 rwm'], keepId: false, network: NO_FLAGS, tty: true, interactive: true, autoRemove: true,
    resources: {}, rlimits: [], cgroups: 'enabled', cgroupns: 'private', podman: { readOnlyTmpfs: true },
  });
});

const NO_FLAGS = { mode: { kind: 'pasta', options: [] }, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [] };

t.test('toCreateOptions: network modes', async (t) => {
  t.same(options().network, NO_FLAGS, 'rootless: pasta');
  t.same(options({}, false).network.mode, { kind: 'bridge', networks: [{ name: DEFAULT_NETWORK, aliases: [] }] }, 'root: the default network');
  t.same(options({ network: ['none'] }).network.mode, { kind: 'none' });
  t.same(options({ network: ['host'] }).network.mode, { kind: 'host' });
  t.same(options({ network: ['slirp4netns:allow_host_loopback=true'] }).network.mode, { kind: 'slirp4netns', options: ['allow_host_loopback=true'] });
  t.same(options({ network: ['a,b', 'c'], networkAlias: ['x'] }).network.mode, {
    kind: 'bridge',
    networks: ['a', 'b', 'c'].map((name) => ({ name, aliases: ['x'] })),
  });
  t.same(options({ network: ['a'], ip: '10.89.0.9', macAddress: '02:00:00:00:00:09' }).network.mode, {
    kind: 'bridge',
    networks: [{ name: 'a', aliases: [], ip: '10.89.0.9', mac: '02:00:00:00:00:09' }],
  });
  usageError(t, () => options({ network: ['my net'] }), 'invalid --network "my net"');
  usageError(t, () => options({ network: ['none', 'a'] }), 'none cannot be combined with another network');
  usageError(t, () => options({ ip: '10.0.0.1' }), '--ip can only be used with user networks');
  usageError(t, () => options({ network: [''] }), 'invalid --network ""');
});

t.test('toCreateOptions: ports, hosts and DNS', async (t) => {
  const n = options({
    publish: ['8080:80', '127.0.0.1::53/udp'], publishAll: true, expose: ['90-91'], addHost: ['db:10.0.0.5'], dns: ['1.1.1.1'], dnsSearch: ['.'], dnsOption: ['ndots:1'],
  }).network;
  t.same(n.ports, [
    { hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 0, containerPort: 53, protocol: 'udp' },
  ]);
  t.same([n.publishAll, n.expose, n.addHosts, n.noHosts, n.dns, n.dnsSearch, n.dnsOptions], [true, ['90/tcp', '91/tcp'], ['db:10.0.0.5'], false, ['1.1.1.1'], ['.'], ['ndots:1']]);
  t.equal(options({ hosts: false }).network.noHosts, true);
  usageError(t, () => options({ hosts: false, addHost: ['a:1.2.3.4'] }), '--no-hosts and --add-host cannot be set together');
  usageError(t, () => options({ publish: ['0:80'] }), 'invalid --publish "0:80"');
  usageError(t, () => options({ network: ['host'], publish: ['80'] }), '--publish cannot be used with --network host');
  usageError(t, () => options({ dns: ['x'] }), 'invalid --dns "x"');
});

t.test('the networking flags as the command line gives them', async (t) => {
  const parse = (argv: string[]) => {
    const { values, words } = parseArgs([...argv, 'busybox'], CREATE_OPTIONS, { command: 'create', wordsBeforeRest: 1 });
    return toCreateOptions({ ...values, image: words[0]! } as unknown as CreateArgs, true).network;
  };
  const n = parse(['-p', '80', '-p8443:443', '--publish=53:53/udp', '-P', '--expose', '81', '--net', 'a', '--network', 'b,c', '--net-alias', 'x', '--network-alias=y',
    '--add-host', 'h:1.2.3.4', '--dns', '9.9.9.9', '--dns-search', 'ex.org', '--dns-opt', 'ndots:1', '--dns-option', 'rotate']);
  t.same(n.ports.map((p) => `${p.hostPort}:${p.containerPort}/${p.protocol}`), ['0:80/tcp', '8443:443/tcp', '53:53/udp']);
  t.equal(n.publishAll, true);
  t.same(n.expose, ['81/tcp']);
  t.same(n.mode, { kind: 'bridge', networks: ['a', 'b', 'c'].map((name) => ({ name, aliases: ['x', 'y'] })) });
  t.same([n.addHosts, n.dns, n.dnsSearch, n.dnsOptions], [['h:1.2.3.4'], ['9.9.9.9'], ['ex.org'], ['ndots:1', 'rotate']]);
  t.equal(parse(['--no-hosts']).noHosts, true);
  t.same(parse(['--network', 'a', '--ip', '10.0.0.1', '--ip', '10.0.0.2', '--mac-address', '02:00:00:00:00:01']).mode, {
    kind: 'bridge', networks: [{ name: 'a', aliases: [], ip: '10.0.0.2', mac: '02:00:00:00:00:01' }],
  }, 'the last --ip wins');
  t.same(parse([]).mode, { kind: 'pasta', options: [] });
});

t.test('toCreateOptions: userns values', async (t) => {
  t.equal(options().keepId, false);
  t.equal(options({ userns: '' }).keepId, false);
  t.equal(options({ userns: 'keep-id' }).keepId, true);
  t.equal(options({ userns: 'host' }).keepId, false);
  usageError(t, () => options({ userns: 'auto' }), '--userns=auto is not supported: husk gives each user one subordinate ID range');
  usageError(t, () => options({ userns: 'nomap' }), '--userns=nomap is not supported');
  usageError(t, () => options({ userns: 'bogus' }), 'invalid --userns "bogus": use host, keep-id or keep-id:uid=N,gid=N');
  usageError(t, () => options({ userns: 'keep-id:uid=x' }), 'invalid --userns "keep-id:uid=x": keep-id takes uid=N and gid=N');
  t.same(options({ userns: 'keep-id:uid=1,gid=2' }).podman?.keepIdAs, { uid: 1, gid: 2 });
  t.same(options({ userns: 'keep-id:uid=1' }).podman?.keepIdAs, { uid: 1 });
});

t.test('toCreateOptions: the command is the words after the image', async (t) => {
  t.same(options({ command: ['10', 'y'] }).command, ['10', 'y']);
  t.same(options().command, []);
});

t.test('toCreateOptions: env files first, then -e, host values for bare names', async (t) => {
  withHostEnv(t, { HUSK_UNIT_H: 'hv', HUSK_UNIT_UNSET: undefined });
  const file = envFile(t, 'A=file\nB=file\n');
  t.same(options({ envFile: [file], env: ['A=cli', 'HUSK_UNIT_H', 'HUSK_UNIT_UNSET', 'C=x=y'] }).env, ['A=file', 'B=file', 'A=cli', 'HUSK_UNIT_H=hv', 'C=x=y']);
  usageError(t, () => options({ env: ['=x'] }), '--env: invalid environment variable "=x": expected KEY=VALUE');
  usageError(t, () => options({ env: ['A B=1'] }), '--env: invalid environment variable "A B=1"');
  usageError(t, () => options({ env: [''] }), '--env: invalid environment variable ""');
  usageError(t, () => options({ envFile: ['/nonexistent/e'] }), '--env-file /nonexistent/e: no such file');
  usageError(t, () => options({ securityOpt: ['nope'] }), 'invalid --security-opt "nope"');
});

/** podman's flags as the command line gives them: toCreateOptions of parseArgs. */
function parsed(argv: string[]) {
  const { values, words } = parseArgs([...argv, 'busybox'], CREATE_OPTIONS, { command: 'create', wordsBeforeRest: 1 });
  return toCreateOptions({ ...values, image: words[0]! } as unknown as CreateArgs, true);
}

t.test('podman flags: --entrypoint as JSON, or as one word', async (t) => {
  t.same(parsed(['--entrypoint', '["/bin/echo","X"]']).entrypoint, ['/bin/echo', 'X']);
  t.equal(parsed(['--entrypoint', '/bin/echo']).entrypoint, '/bin/echo');
  t.equal(parsed(['--entrypoint', '[not json']).entrypoint, '[not json', 'not JSON: one word');
  usageError(t, () => parsed(['--entrypoint', '[1,2]']), 'a JSON entrypoint is an array of strings');
});

t.test('podman flags: environment ones', async (t) => {
  withHostEnv(t, { HUSK_UNIT_HOSTVAR: 'h', http_proxy: 'http://127.0.0.1:1', HTTPS_PROXY: undefined, https_proxy: undefined, no_proxy: undefined, NO_PROXY: undefined, ftp_proxy: undefined, FTP_PROXY: undefined, HTTP_PROXY: undefined });
  t.same(parsed([]).env, ['http_proxy=http://127.0.0.1:1'], '--http-proxy is on by default');
  t.same(parsed(['--http-proxy=false']).env, []);
  t.same(parsed(['-e', 'http_proxy=mine']).env, ['http_proxy=http://127.0.0.1:1', 'http_proxy=mine'], '-e comes after, so wins');
  t.ok(parsed(['--env-host']).env.includes('HUSK_UNIT_HOSTVAR=h'), '--env-host');
  const o = parsed(['--unsetenv', 'A', '--unsetenv', 'B', '--unsetenv-all', '--env-merge', 'PATH=/x:${PATH}']).podman!;
  t.same([o.unsetEnv, o.unsetEnvAll, o.envMerge], [['A', 'B'], true, ['PATH=/x:${PATH}']]);
});

t.test('podman flags: pull policy and platform', async (t) => {
  t.equal(parsed(['--pull', 'never']).podman?.pull, 'never');
  t.equal(parsed(['--pull=true']).podman?.pull, 'always', 'podman\'s boolean spelling');
  t.equal(parsed(['--pull=missing']).podman?.pull, 'missing');
  usageError(t, () => parsed(['--pull', 'sometimes']), 'unsupported pull policy "sometimes": use always, missing, newer or never');
  t.equal(parsed(['--arch', 'arm64']).podman?.pullOptions?.platform, 'linux/arm64');
  t.equal(parsed(['--arch', 'arm', '--variant', 'v7']).podman?.pullOptions?.platform, 'linux/arm/v7');
  t.equal(parsed(['--platform', 'linux/arm64']).podman?.pullOptions?.platform, 'linux/arm64');
  usageError(t, () => parsed(['--platform', 'linux/arm64', '--os', 'linux']), '--platform and --arch, --os or --variant cannot be used together');
  usageError(t, () => parsed(['--platform', 'nonsense']), 'invalid platform "nonsense"');
  t.equal(parsed(['--creds', 'u:p', '--tls-verify=false']).podman?.pullOptions?.creds, 'u:p');
  t.equal(typeof parsed(['-q']).podman?.pullOptions?.progress, 'function', '-q: progress goes nowhere');
});

t.test('podman flags: logging', async (t) => {
  t.same(parsed(['--log-driver', 'none']).podman?.logDriver, 'none');
  t.equal(parsed(['--log-driver', 'json-file']).podman?.logDriver, undefined, 'json-file is the k8s-file here');
  t.equal(parsed(['--log-opt', 'path=/tmp/x.log', '--log-opt', 'tag=t']).podman?.logPath, '/tmp/x.log');
  usageError(t, () => parsed(['--log-opt', 'path=rel']), 'path must be absolute');
  usageError(t, () => parsed(['--log-driver', 'journald']), '--log-driver journald is not supported');
  usageError(t, () => parsed(['--log-opt', 'max-size=lots']), 'max-size');
});

t.test('podman flags: users, groups, umask, tz and the rest', async (t) => {
  const o = parsed(['--group-add', '10,wheel', '--umask', '0077', '--passwd-entry', 'x', '--group-entry', 'y', '--hostuser', 'root', '--passwd=false', '--tz', 'local', '--pidfile', '/tmp/p', '--no-hostname', '--image-volume', 'tmpfs', '--systemd', 'always', '--annotation', 'a=b=c', '--read-only-tmpfs=false']).podman!;
  t.same(o.groupAdd, ['10', 'wheel']);
  t.equal(o.umask, 0o077);
  t.same([o.passwdEntry, o.groupEntry, o.hostUsers, o.passwd], ['x', 'y', ['root'], false]);
  t.equal(typeof o.tzFile, 'string');
  t.same([o.pidFile, o.noHostname, o.imageVolume, o.systemd, o.annotations, o.readOnlyTmpfs], ['/tmp/p', true, 'tmpfs', 'always', { a: 'b=c' }, undefined]);
  usageError(t, () => parsed(['--umask', '8']), 'invalid --umask "8"');
  usageError(t, () => parsed(['--tz', '../../etc/passwd']), 'invalid --tz');
  usageError(t, () => parsed(['--systemd', 'yes']), 'invalid --systemd "yes": use true, false or always');
  usageError(t, () => parsed(['--image-volume', 'x']), 'invalid --image-volume "x"');
  usageError(t, () => parsed(['--annotation', 'novalue']), 'invalid --annotation "novalue": expected KEY=VALUE');
  usageError(t, () => parsed(['--ipc', 'host']), '--ipc=host is not supported');
  t.equal(parsed(['--ipc', 'shareable', '--uts', 'private']).image, 'busybox', 'private and shareable are what husk does');
  usageError(t, () => parsed(['--seccomp-policy', 'image']), '--seccomp-policy=image is not supported');
  usageError(t, () => parsed(['--init-path', 'relative']), 'invalid --init-path "relative"');
});

t.test('podman flags: secrets', async (t) => {
  t.same(parsed(['--secret', 's']).podman?.secrets, [{ name: 's', type: 'mount', target: '/run/secrets/s', uid: 0, gid: 0, mode: 0o444 }]);
  t.same(parsed(['--secret', 's,type=env,target=TOKEN']).podman?.secrets, [{ name: 's', type: 'env', target: 'TOKEN', uid: 0, gid: 0, mode: 0o444 }]);
  t.same(parsed(['--secret', 's,target=x,uid=1,gid=2,mode=0400']).podman?.secrets, [{ name: 's', type: 'mount', target: '/run/secrets/x', uid: 1, gid: 2, mode: 0o400 }]);
  usageError(t, () => parsed(['--secret', 's,type=file']), 'type is mount or env');
  usageError(t, () => parsed(['--secret', 's,type=env,mode=0400']), 'uid, gid and mode apply to type=mount');
  usageError(t, () => parsed(['--secret', 's,color=red']), 'unknown option "color"');
});

t.test('podman flags: refused and ignored ones, each with its reason', async (t) => {
  for (const flag of ['--uidmap=0:1:1', '--gidmap=0:1:1', '--subuidname=x', '--subgidname=x', '--gpus=all', '--sysctl=a=b', '--rootfs', '--personality=LINUX32', '--rdt-class=x', '--chrootdirs=/x', '--cgroup-conf=a=b', '--decryption-key=k', '--link-local-ip=169.254.0.1', '--hosts-file=none', '--health-startup-cmd=true']) {
    usageError(t, () => parsed([flag]), `--${flag.slice(2).split('=')[0]!} is not supported: `);
  }
  for (const [flag, name] of [['--cpu-rt-period=1', 'cpu-rt-period'], ['--disable-content-trust', 'disable-content-trust'], ['--retry=3', 'retry']]) {
    const warn = t.capture(process.stderr, 'write');
    t.equal(parsed([flag!]).image, 'busybox', `${flag} is taken`);
    t.match(warn().map((c) => c.args[0]).join(''), new RegExp(`WARN: --${name} is ignored: `));
  }
});

t.test('podman flags: --label-file and --ip6', async (t) => {
  const file = envFile(t, '# c\nA=1\n\nB=2\n');
  t.same(parsed(['--label-file', file, '-l', 'B=3']).labels, { A: '1', B: '3' }, '-l after the file wins');
  t.equal((parsed(['--network', 'n', '--ip6', 'fd00::5']).network.mode as { networks: Array<{ ip?: string }> }).networks[0]!.ip, 'fd00::5');
  usageError(t, () => parsed(['--ip6', '10.0.0.1']), 'invalid --ip6 "10.0.0.1"');
});
