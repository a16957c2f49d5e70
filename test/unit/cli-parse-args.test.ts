import t from 'tap';
import { parseArgs, type OptionTable } from '../../lib/cli/parse-args.js';
import { findCommand } from '../../lib/cli/dispatch.js';
import { ALIASES, COMMANDS } from '../../lib/cli/command-table.js';
import { GLOBAL_OPTIONS } from '../../lib/cli/common.js';
import { CREATE_OPTIONS, RUN_OPTIONS } from '../../lib/cli/run-options.js';
import { usageError } from './fixtures/helpers.js';

const RUN = { ...GLOBAL_OPTIONS, ...RUN_OPTIONS };
/** run IMAGE CMD...: one word, then the rest is the container's. */
const run = (argv: string[]) => parseArgs(argv, RUN, { command: 'run', wordsBeforeRest: 1 });
const create = (argv: string[]) => parseArgs(argv, { ...GLOBAL_OPTIONS, ...CREATE_OPTIONS }, { command: 'create', wordsBeforeRest: 1 });
const PS: OptionTable = {
  ...GLOBAL_OPTIONS,
  all: { alias: 'a', type: 'boolean', default: false },
  quiet: { alias: 'q', type: 'boolean', default: false },
  trunc: { type: 'boolean', default: true },
  last: { alias: 'n', type: 'number' },
  filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [] },
  format: { type: 'string' },
};
const ps = (argv: string[]) => parseArgs(argv, PS, { command: 'ps' });

t.test('the container command starts after the image, whatever it looks like', async (t) => {
  t.same(run(['--rm', '-e', 'A=1', 'busybox', 'ls', '-la']).words, ['busybox', 'ls', '-la']);
  t.same(run(['busybox', 'sh', '-c', 'echo --rm -it']).words, ['busybox', 'sh', '-c', 'echo --rm -it']);
  const r = run(['alpine', '--name', 'x', '-d']);
  t.same(r.words, ['alpine', '--name', 'x', '-d'], "the container's own flags stay its own");
  t.equal(r.values.name, undefined);
  t.equal(r.values.detach, false);
  t.same(run(['--rm', '--', 'busybox', 'ls']).words, ['busybox', 'ls'], '"--" ends the options');
  t.same(run(['-', 'x']).words, ['-', 'x'], '"-" alone is a word');
});

t.test('values: separate word, --opt=value, empty, and one that looks like an image', async (t) => {
  t.equal(run(['--name=x', 'busybox']).values.name, 'x');
  t.equal(run(['--name', 'x', 'busybox']).values.name, 'x');
  t.equal(run(['--entrypoint', '', 'img', 'x']).values.entrypoint, '', 'an empty value is still a value');
  const r = run(['--name', 'busybox', 'alpine']);
  t.equal(r.values.name, 'busybox');
  t.same(r.words, ['alpine']);
  t.same(run(['--net', 'host', 'img']).values.network, ['host'], 'an alias sets the option');
});

t.test('short options: clusters, attached values, =value', async (t) => {
  t.equal(run(['-w', '/tmp', 'busybox']).values.workdir, '/tmp');
  t.equal(run(['-w/tmp', 'busybox']).values.workdir, '/tmp');
  const it = run(['-itd', '-u', '1000', 'busybox']).values;
  t.same([it.interactive, it.tty, it.detach, it.user], [true, true, true, '1000']);
  const ite = run(['-ite', 'A=1', 'busybox']);
  t.same(ite.values.env, ['A=1'], 'the last letter of a cluster takes the next word');
  t.same(ite.words, ['busybox']);
  t.same(run(['-eA=1', 'busybox']).values.env, ['A=1']);
  t.same(run(['-e=A=1', 'busybox']).values.env, ['A=1']);
  t.equal(run(['-h', 'myhost', 'busybox']).values.hostname, 'myhost', '-h is --hostname in run, as in docker');
});

t.test('repeated flags: lists grow, single values take the last', async (t) => {
  const r = run(['-e', 'A=1', '--env', 'B=2', '--name', 'a', '--name', 'b', 'busybox']);
  t.same(r.values.env, ['A=1', 'B=2']);
  t.equal(r.values.name, 'b');
  t.same(ps(['-f', 'status=exited', '--filter=name=x']).values.filter, ['status=exited', 'name=x']);
});

t.test('booleans: --flag, --flag=false, --no-flag', async (t) => {
  const r = run(['--no-sig-proxy', '--rm=false', 'busybox']).values;
  t.equal(r.sigProxy, false);
  t.equal(r['sig-proxy'], false, 'kebab and camelCase names both');
  t.equal(r.rm, false);
  t.equal(run(['--no-healthcheck', 'busybox']).values.healthcheck, false);
  t.equal(ps(['--no-trunc']).values.trunc, false);
  t.equal(ps([]).values.trunc, true, 'defaults apply');
  t.equal(ps(['--no-color']).values.color, false, 'global options are known everywhere');
  usageError(t, () => ps(['--all=maybe']), 'invalid argument "maybe" for "--all": give true or false');
});

t.test('numbers, and values that start with a dash', async (t) => {
  t.equal(ps(['-n', '3']).values.last, 3);
  t.equal(ps(['--last', '-1']).values.last, -1, 'a value is taken whatever it looks like, as pflag does');
  t.same(ps(['-aq']).values.all && ps(['-aq']).values.quiet, true);
});

t.test('a number option given something else names the value typed, not NaN', async (t) => {
  usageError(t, () => ps(['-n', 'abc']), 'invalid argument "abc" for "-n": a number is expected');
  usageError(t, () => ps(['--last=']), 'invalid argument "" for "--last": a number is expected');
  usageError(t, () => run(['--stop-timeout', 'abc', 'busybox']), 'invalid argument "abc" for "--stop-timeout": a number is expected');
  usageError(t, () => run(['--stop-timeout', 'Infinity', 'busybox']), 'invalid argument "Infinity" for "--stop-timeout": a number is expected');
});

t.test('help: --help anywhere before the rest, -h where it is not an option', async (t) => {
  t.equal(run(['--help']).help, true);
  t.equal(run(['busybox', '--help']).help, false, "after the image it is the container's");
  t.equal(ps(['-h']).help, true);
  t.equal(ps(['-ah']).help, true);
});

t.test('unknown flags and missing values are named, with the command', async (t) => {
  usageError(t, () => run(['--bogus', 'busybox']), "unknown flag: --bogus (see 'husk run --help')");
  usageError(t, () => run(['--bogus=1', 'busybox']), 'unknown flag: --bogus ');
  usageError(t, () => run(['-x', 'busybox']), "unknown shorthand flag: 'x' in -x (see 'husk run --help')");
  usageError(t, () => run(['-itz', 'busybox']), "unknown shorthand flag: 'z' in -itz");
  usageError(t, () => create(['-d', 'busybox']), "unknown shorthand flag: 'd' in -d (see 'husk create --help')");
  usageError(t, () => create(['--detach', 'busybox']), "unknown flag: --detach (see 'husk create --help')");
  usageError(t, () => ps(['--format']), "flag needs an argument: --format (see 'husk ps --help')");
  usageError(t, () => ps(['-f']), "flag needs an argument: 'f' in -f");
  usageError(t, () => ps(['--no-format']), 'unknown flag: --no-format'); // --no- negates booleans only
});

t.test('unknown options as words, for top', async (t) => {
  const r = parseArgs(['ctr', '-eo', 'pid,comm', '--root', '/x'], GLOBAL_OPTIONS, { command: 'top', unknownOptionsAreWords: true });
  t.same(r.words, ['ctr', '-eo', 'pid,comm']);
  t.equal(r.values.root, '/x');
});

t.test('findCommand: global options around the command words, groups, aliases', async (t) => {
  const ps1 = await findCommand(['--root', '/x', 'ps', '-a']);
  t.same([ps1?.path, ps1?.rest], [['ps'], ['--root', '/x', '-a']]);
  const ls = await findCommand(['--runroot=/r', 'container', 'ls', '-aq']);
  t.same([ls?.path, ls?.rest], [['container', 'ls'], ['--runroot=/r', '-aq']], 'the words as typed');
  t.equal(String(ls?.mod.command), 'ps', 'container ls is ps');
  const vls = await findCommand(['volume', 'list']);
  t.equal(String(vls?.mod.command), 'ls', 'volume list is volume ls');
  const r = await findCommand(['run', '--rm', 'busybox', 'rm', '-f']);
  t.same([r?.path, r?.rest], [['run'], ['--rm', 'busybox', 'rm', '-f']], 'words after the command are its own');
  t.same((await findCommand(['container']))?.path, ['container'], 'a group alone');
  t.equal(await findCommand(['image', 'bogus']), undefined, "a group's unknown subcommand is left to yargs");
  t.equal(await findCommand(['--root', '/x']), undefined);
  await t.rejects(findCommand(['bogus']), /unrecognized command "husk bogus"/);
});

t.test('the command table names each module by its own name or alias', async (t) => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    t.equal(String((await load()).command).split(' ')[0], name, name);
  }
  for (const [alias, name] of Object.entries(ALIASES)) {
    t.ok(([] as string[]).concat((await COMMANDS[name]!()).aliases ?? []).includes(alias), `${alias} is an alias of ${name}`);
  }
});
