// The husk command line: global options, the command table, and the one
// place where errors become a message and an exit code.
import yargs, { type Argv, type CommandModule } from 'yargs';
import { exitCodeFor, messageFor, UsageError } from '../engine/errors.js';
import { protectContainerCommand } from './args.js';
import { GLOBAL_OPTIONS } from './common.js';
import { containerCommand } from './commands/container.js';
import { createCommand } from './commands/create.js';
import { imageCommand } from './commands/image.js';
import { historyCommand } from './commands/history.js';
import { imagesCommand } from './commands/images.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { loadCommand } from './commands/load.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { logsCommand } from './commands/logs.js';
import { psCommand } from './commands/ps.js';
import { pullCommand } from './commands/pull.js';
import { pushCommand } from './commands/push.js';
import { rmCommand } from './commands/rm.js';
import { rmiCommand } from './commands/rmi.js';
import { runCommand } from './commands/run.js';
import { saveCommand } from './commands/save.js';
import { searchCommand } from './commands/search.js';
import { startCommand } from './commands/start.js';
import { systemCommand } from './commands/system.js';
import { tagCommand } from './commands/tag.js';
import { untagCommand } from './commands/untag.js';
import { versionCommand } from './commands/version.js';
import { volumeCommand } from './commands/volume.js';
import { stopCommand } from './commands/stop.js';
import { inspectCommand } from './commands/inspect.js';
import { attachCommand } from './commands/attach.js';
import { topCommand } from './commands/top.js';
import { portCommand } from './commands/port.js';
import { healthcheckCommand } from './commands/healthcheck.js';
import { execCommand, EXEC_OPTIONS } from './commands/exec.js';
import { killCommand } from './commands/kill.js';
import { restartCommand } from './commands/restart.js';
import { waitCommand } from './commands/wait.js';
import { renameCommand } from './commands/rename.js';
import { cpCommand } from './commands/cp.js';
import { diffCommand } from './commands/diff.js';
import { commitCommand } from './commands/commit.js';
import { exportCommand } from './commands/export.js';
import { CREATE_OPTIONS, RUN_OPTIONS } from './run-options.js';
import { HUSK_VERSION } from '../engine/info.js';
import { trace } from '../util/trace.js';

/** Commands made of subcommands: yargs' command layer handles those. */
const GROUPS: CommandModule[] = [containerCommand as CommandModule, imageCommand as CommandModule, systemCommand as CommandModule, volumeCommand, healthcheckCommand];

const COMMANDS = [runCommand, createCommand, startCommand, psCommand, logsCommand, rmCommand, imagesCommand, importCommand, pullCommand, loginCommand, logoutCommand, pushCommand, tagCommand, untagCommand, rmiCommand, saveCommand, loadCommand, searchCommand, historyCommand, infoCommand, versionCommand, stopCommand, killCommand, restartCommand, waitCommand, renameCommand, execCommand, inspectCommand, attachCommand, topCommand, portCommand, cpCommand, diffCommand, commitCommand, exportCommand, containerCommand, imageCommand, systemCommand, volumeCommand, healthcheckCommand];

async function fail(err: unknown): Promise<void> {
  const noColor = process.env.NO_COLOR !== undefined || process.argv.includes('--no-color') || !process.stderr.isTTY;
  // chalk (and the tty module under it) loads only when an error is shown on a terminal.
  const label = noColor ? 'Error:' : (await import('chalk')).default.red('Error:');
  process.stderr.write(`${label} ${messageFor(err)}\n`);
  if (process.env.HUSK_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exitCode = exitCodeFor(err);
}

/**
 * The command modules yargs needs to see: just the one named, when a known
 * command is named (building every command's parser costs milliseconds on
 * each start), else all of them, for help and suggestions.
 */
function commandsFor(argv: string[]): CommandModule[] {
  const word = firstWord(argv);
  const named = COMMANDS.filter((c) => {
    const mod = c as CommandModule;
    const names = [String(mod.command).split(' ')[0], ...([] as string[]).concat(mod.aliases ?? [])];
    return names.includes(word ?? '');
  });
  if (word !== undefined && named.length === 0) {
    throw new UsageError(`unrecognized command "husk ${word}": see 'husk --help' for the list of commands`);
  }
  return (named.length === 1 ? named : COMMANDS) as CommandModule[];
}

/** The first word that is neither a global option nor its value. */
function firstWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') return undefined;
    if (!tok.startsWith('-')) return tok;
    const opt = GLOBAL_OPTIONS[tok.replace(/^-+/, '').split('=')[0]!];
    if (opt && opt.type !== 'boolean' && !tok.includes('=')) i++;
  }
  return undefined;
}

const HELP_FLAGS = new Set(['--help', '-h', '--version']);

/**
 * The common case, one known command and no help wanted: yargs parses that
 * command's options on a single level, without its command layer (which
 * parses everything twice). Returns false when the full CLI is needed.
 */
async function runDirectly(mod: CommandModule, argv: string[]): Promise<boolean> {
  const [word, ...positionals] = String(mod.command).split(' ');
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end);
  const at = own.indexOf(word!);
  if (at < 0 || own.some((a) => HELP_FLAGS.has(a)) || typeof mod.builder !== 'function') return false;
  const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  let y: Argv = yargs(rest).options(GLOBAL_OPTIONS).strictOptions().help(false).version(false).fail((msg, err) => {
    throw err ?? new UsageError(`${msg} (see 'husk ${word} --help')`);
  });
  y = (mod.builder as unknown as (y: Argv) => Argv)(y);
  const args = (await y.parseAsync()) as Record<string, unknown> & { _: unknown[] };
  const words = args._.map(String);
  for (const p of positionals) {
    const m = /^([<[])([\w-]+)(\.\.)?[>\]]$/.exec(p);
    if (!m) return false;
    const [, bracket, name, variadic] = m;
    const value = variadic ? words.splice(0) : words.shift();
    if (bracket === '<' && (value === undefined || (Array.isArray(value) && value.length === 0))) {
      throw new UsageError(`${word} needs ${name} (see 'husk ${word} --help')`);
    }
    args[name!] = value;
  }
  if (words.length > 0) throw new UsageError(`unexpected argument "${words[0]}" (see 'husk ${word} --help')`);
  trace('cli: parsed directly');
  await mod.handler(args as never);
  return true;
}

/**
 * yargs renders a command's whole help text right after starting its
 * handler, in case the handler asks for it; husk's handlers never do, and on
 * `husk run` those milliseconds sit between creating the container and
 * starting it. Help is still rendered when it is shown.
 */
function skipHelpCache(cli: object): void {
  const internal = (cli as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
}

export async function main(rawArgv: string[]): Promise<void> {
  try {
    await parse(rawArgv);
  } catch (err) {
    await fail(err);
  }
  // The command is done. process.exit skips tearing down V8's heap, a few
  // milliseconds of every command; stdout and stderr are synchronous on
  // Linux (files, pipes, terminals), so nothing written is lost.
  process.exit();
}

async function parse(rawArgv: string[]): Promise<void> {
  trace('cli: loaded');
  const commands = commandsFor(rawArgv);
  let argv = protectContainerCommand(rawArgv, [['run'], ['container', 'run']], RUN_OPTIONS, GLOBAL_OPTIONS);
  argv = protectContainerCommand(argv, [['create'], ['container', 'create']], CREATE_OPTIONS, GLOBAL_OPTIONS);
  argv = protectContainerCommand(argv, [['exec'], ['container', 'exec']], EXEC_OPTIONS, GLOBAL_OPTIONS);
  const only = commands.length === 1 ? commands[0]! : undefined;
  if (only && !GROUPS.includes(only) && (await runDirectly(only, argv))) return;
  const cli = yargs(argv)
    .scriptName('husk')
    .usage('Usage: husk [options] <command>\n\nA rootless, daemonless container engine.')
    .options(GLOBAL_OPTIONS)
    .version(HUSK_VERSION)
    .help()
    .strict()
    .demandCommand(1, 'Specify a command, for example: husk run --rm IMAGE echo hello')
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const c of commands) cli.command(c as CommandModule);
  skipHelpCache(cli);
  trace('cli: yargs built');
  await cli.parseAsync();
}

void main(process.argv.slice(2));
