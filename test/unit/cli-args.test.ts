import t from 'tap';
import { protectContainerCommand } from '../../lib/cli/args.js';
import { GLOBAL_OPTIONS } from '../../lib/cli/common.js';
import { CREATE_OPTIONS, RUN_OPTIONS } from '../../lib/cli/run-options.js';
import { usageError } from './fixtures/helpers.js';

const RUN = [['run'], ['container', 'run']];
const CREATE = [['create'], ['container', 'create']];
const run = (argv: string[]) => protectContainerCommand(argv, RUN, RUN_OPTIONS, GLOBAL_OPTIONS);
const create = (argv: string[]) => protectContainerCommand(argv, CREATE, CREATE_OPTIONS, GLOBAL_OPTIONS);

t.test('"--" goes right after the image', async (t) => {
  t.same(run(['run', '--rm', '-e', 'A=1', 'busybox', 'ls', '-la']), ['run', '--rm', '-e', 'A=1', 'busybox', '--', 'ls', '-la']);
  t.same(run(['run', 'busybox']), ['run', 'busybox', '--']);
  t.same(run(['run', 'busybox', 'sh', '-c', 'echo --rm -it']), ['run', 'busybox', '--', 'sh', '-c', 'echo --rm -it']);
  // The container's own flags that husk also has are left to the container.
  t.same(run(['run', 'alpine', '--name', 'x', '-d']), ['run', 'alpine', '--', '--name', 'x', '-d']);
});

t.test('global options before the command are skipped', async (t) => {
  t.same(run(['--root', '/x', 'run', '-it', 'busybox', 'sh']), ['--root', '/x', 'run', '-it', 'busybox', '--', 'sh']);
  t.same(run(['--root=/x', '--log-level', 'debug', 'run', 'busybox', 'id']), ['--root=/x', '--log-level', 'debug', 'run', 'busybox', '--', 'id']);
  t.same(run(['--storage-driver', 'vfs', '--runroot', '/r', 'container', 'run', 'busybox', 'id']), ['--storage-driver', 'vfs', '--runroot', '/r', 'container', 'run', 'busybox', '--', 'id']);
});

t.test('global options after the command are known too', async (t) => {
  t.same(run(['run', '--root', '/x', 'busybox', 'id']), ['run', '--root', '/x', 'busybox', '--', 'id']);
  t.same(run(['run', '--log-level=debug', 'busybox']), ['run', '--log-level=debug', 'busybox', '--']);
});

t.test('container run / container create', async (t) => {
  t.same(run(['container', 'run', '--rm', 'busybox', 'true']), ['container', 'run', '--rm', 'busybox', '--', 'true']);
  t.same(create(['container', 'create', '--name', 'c1', 'busybox', 'sleep', '9']), ['container', 'create', '--name', 'c1', 'busybox', '--', 'sleep', '9']);
  t.same(create(['create', '-t', 'busybox']), ['create', '-t', 'busybox', '--']);
});

t.test('value options: separate word or --opt=value', async (t) => {
  t.same(run(['run', '--name=x', 'busybox', 'ls']), ['run', '--name=x', 'busybox', '--', 'ls']);
  t.same(run(['run', '--name', 'x', 'busybox', 'ls']), ['run', '--name', 'x', 'busybox', '--', 'ls']);
  t.same(run(['run', '--env-file', 'f', '--cap-add', 'NET_ADMIN', '--security-opt', 'seccomp=unconfined', 'img']), ['run', '--env-file', 'f', '--cap-add', 'NET_ADMIN', '--security-opt', 'seccomp=unconfined', 'img', '--']);
  t.same(run(['run', '--net', 'host', 'img', 'x']), ['run', '--net', 'host', 'img', '--', 'x'], 'alias of --network');
  t.same(run(['run', '--entrypoint', '', 'img', 'x']), ['run', '--entrypoint', '', 'img', '--', 'x'], 'an empty value is still a value');
  t.same(run(['run', '--name', 'busybox', 'alpine']), ['run', '--name', 'busybox', 'alpine', '--'], 'a value that looks like an image');
});

t.test('short options: -w consumes its value, clusters, attached values', async (t) => {
  t.same(run(['run', '-w', '/tmp', 'busybox', 'pwd']), ['run', '-w', '/tmp', 'busybox', '--', 'pwd']);
  t.same(run(['run', '-w/tmp', 'busybox', 'pwd']), ['run', '-w/tmp', 'busybox', '--', 'pwd']);
  t.same(run(['run', '-it', 'busybox', 'sh']), ['run', '-it', 'busybox', '--', 'sh']);
  t.same(run(['run', '-itd', '-u', '1000', 'busybox']), ['run', '-itd', '-u', '1000', 'busybox', '--']);
  t.same(run(['run', '-ite', 'A=1', 'busybox']), ['run', '-ite', 'A=1', 'busybox', '--'], 'last letter of a cluster takes the next word');
  t.same(run(['run', '-eA=1', 'busybox']), ['run', '-eA=1', 'busybox', '--']);
  t.same(run(['run', '-h', 'myhost', 'busybox', 'hostname']), ['run', '-h', 'myhost', 'busybox', '--', 'hostname'], '-h is --hostname, as in docker');
});

t.test('short option with "=value"', async (t) => {
  t.same(run(['run', '-e=A=1', 'busybox', 'env']), ['run', '-e=A=1', 'busybox', '--', 'env']);
});

t.test('boolean negation and --help', async (t) => {
  t.same(run(['run', '--no-sig-proxy', '--rm=false', 'busybox']), ['run', '--no-sig-proxy', '--rm=false', 'busybox', '--']);
  t.same(run(['run', '--help']), ['run', '--help'], 'no image: unchanged');
});

t.test('--no-color is a global option of the CLI', async (t) => {
  t.same(run(['run', '--no-color', 'busybox']), ['run', '--no-color', 'busybox', '--']);
});

t.test('unknown flags before the image are named', async (t) => {
  usageError(t, () => run(['run', '--bogus', 'busybox']), "unknown flag: --bogus (see 'husk run --help')");
  usageError(t, () => run(['run', '--bogus=1', 'busybox']), 'unknown flag: --bogus ');
  usageError(t, () => run(['container', 'run', '--bogus', 'busybox']), "unknown flag: --bogus (see 'husk run --help')");
  usageError(t, () => run(['run', '-x', 'busybox']), "unknown shorthand flag: 'x' in -x (see 'husk run --help')");
  usageError(t, () => run(['run', '-itz', 'busybox']), "unknown shorthand flag: 'z' in -itz");
  // create has no --detach / -d.
  usageError(t, () => create(['create', '-d', 'busybox']), "unknown shorthand flag: 'd' in -d (see 'husk create --help')");
  usageError(t, () => create(['create', '--detach', 'busybox']), "unknown flag: --detach (see 'husk create --help')");
  // After the image, anything goes.
  t.same(run(['run', 'busybox', '--bogus', '-x']), ['run', 'busybox', '--', '--bogus', '-x']);
});

t.test('argv is returned unchanged when there is nothing to protect', async (t) => {
  for (const argv of [
    ['ps', '-a'],
    ['images'],
    [],
    ['container', 'ls'],
    ['run', '--rm', '--', 'busybox', 'ls'],
    ['run', 'busybox', '--', 'ls'].slice(0, 1),
    ['--root', '/x', 'ps'],
    ['rm', 'run'],
  ]) {
    const out = run(argv);
    t.equal(out, argv, `${JSON.stringify(argv)} is the same array`);
  }
  t.same(run(['run', '--rm', '--', 'busybox', 'ls']), ['run', '--rm', '--', 'busybox', 'ls'], 'user-written "--" kept');
  t.same(create(['run', 'busybox', 'ls']), ['run', 'busybox', 'ls'], 'create table does not touch run');
});

t.test('"-" alone is a positional', async (t) => {
  t.same(run(['run', '-', 'x']), ['run', '-', '--', 'x']);
});
