import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseEnvFile, parseSecurityOpts, toCreateOptions, type CreateArgs } from '../../lib/cli/run-options.js';
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

/** Arguments as yargs leaves them: flags not given (--label, --init, ...) are absent. */
function args(over: Partial<CreateArgs> = {}): CreateArgs {
  return {
    image: 'busybox', interactive: false, tty: false, rm: false, env: [], envFile: [], capAdd: [], capDrop: [],
    privileged: false, readOnly: false, securityOpt: [], network: 'private', ...over,
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
  t.same(toCreateOptions(args({ envFile: [file] })).env, ['X=1']);
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
  t.same(toCreateOptions(args({
    command: ['ls', '-l'], name: 'c1', entrypoint: '', workdir: '/w', user: 'app', hostname: 'h', tty: true, interactive: true, rm: true,
    capAdd: ['NET_ADMIN'], capDrop: ['ALL'], privileged: true, readOnly: true, securityOpt: ['no-new-privileges'],
    device: ['/dev/fuse'], deviceCgroupRule: ['c 1:11 rwm'],
  })), {
    image: 'busybox', command: ['ls', '-l'], name: 'c1', entrypoint: '', env: [], workdir: '/w', user: 'app', hostname: 'h',
    capAdd: ['NET_ADMIN'], capDrop: ['ALL'], privileged: true, readOnly: true, security: { seccomp: 'default', noNewPrivileges: true },
    devices: ['/dev/fuse'], deviceCgroupRules: ['c 1:11 rwm'], keepId: false, network: 'private', tty: true, interactive: true, autoRemove: true,
  });
});

t.test('toCreateOptions: network modes', async (t) => {
  for (const n of ['private', 'bridge', 'default', 'slirp4netns', 'pasta']) t.equal(toCreateOptions(args({ network: n })).network, 'private', n);
  t.equal(toCreateOptions(args({ network: 'none' })).network, 'none');
  t.equal(toCreateOptions(args({ network: 'host' })).network, 'host');
  usageError(t, () => toCreateOptions(args({ network: 'mynet' })), 'invalid --network "mynet": use none, host or private (user networks are not supported yet)');
  usageError(t, () => toCreateOptions(args({ network: 'container:abc' })), 'invalid --network "container:abc"');
  usageError(t, () => toCreateOptions(args({ network: '' })), 'invalid --network ""');
});

t.test('toCreateOptions: userns values', async (t) => {
  t.equal(toCreateOptions(args()).keepId, false);
  t.equal(toCreateOptions(args({ userns: '' })).keepId, false);
  t.equal(toCreateOptions(args({ userns: 'keep-id' })).keepId, true);
  t.equal(toCreateOptions(args({ userns: 'host' })).keepId, false);
  usageError(t, () => toCreateOptions(args({ userns: 'auto' })), 'invalid --userns "auto": use keep-id');
  usageError(t, () => toCreateOptions(args({ userns: 'keep-id:uid=1' })), 'invalid --userns "keep-id:uid=1"');
});

t.test('toCreateOptions: the command is the words after the image', async (t) => {
  t.same(toCreateOptions(args({ command: ['10', 'y'] })).command, ['10', 'y']);
  t.same(toCreateOptions(args()).command, []);
});

t.test('toCreateOptions: env files first, then -e, host values for bare names', async (t) => {
  withHostEnv(t, { HUSK_UNIT_H: 'hv', HUSK_UNIT_UNSET: undefined });
  const file = envFile(t, 'A=file\nB=file\n');
  t.same(toCreateOptions(args({ envFile: [file], env: ['A=cli', 'HUSK_UNIT_H', 'HUSK_UNIT_UNSET', 'C=x=y'] })).env, ['A=file', 'B=file', 'A=cli', 'HUSK_UNIT_H=hv', 'C=x=y']);
  usageError(t, () => toCreateOptions(args({ env: ['=x'] })), '--env: invalid environment variable "=x": expected KEY=VALUE');
  usageError(t, () => toCreateOptions(args({ env: ['A B=1'] })), '--env: invalid environment variable "A B=1"');
  usageError(t, () => toCreateOptions(args({ env: [''] })), '--env: invalid environment variable ""');
  usageError(t, () => toCreateOptions(args({ envFile: ['/nonexistent/e'] })), '--env-file /nonexistent/e: no such file');
  usageError(t, () => toCreateOptions(args({ securityOpt: ['nope'] })), 'invalid --security-opt "nope"');
});
