// The husk command line: finds the command named, parses its options, and
// is the one place where errors become a message and an exit code. yargs is
// loaded only to show help.
import type { CommandModule } from 'yargs';
import { BrokenPipeError, exitCodeFor, messageFor, UsageError } from '../core/errors.js';
import { GLOBAL_OPTIONS } from './common.js';
import { COMMANDS } from './command-table.js';
import { findCommand, runCommand } from './dispatch.js';
import { HUSK_VERSION } from '../engine/version.js';
import { trace } from '../core/trace.js';
import { exitForBrokenPipe, exitStatus, isBrokenPipe, noteStdioStreams, stdioDrained } from './output.js';

async function fail(err: unknown): Promise<void> {
  // Nobody reads any more: there is no one to tell (lib/cli/output.ts).
  if (err instanceof BrokenPipeError || isBrokenPipe(err)) exitForBrokenPipe();
  const noColor = process.env.NO_COLOR !== undefined || process.argv.includes('--no-color') || !process.stderr.isTTY;
  // chalk (and the tty module under it) loads only when an error is shown on a terminal.
  const label = noColor ? 'Error:' : (await import('chalk')).default.red('Error:');
  process.stderr.write(`${label} ${messageFor(err)}\n`);
  if (process.env.HUSK_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exitCode = exitCodeFor(err);
}

/** yargs, with every command: help, --version, and a command line that names no command. */
async function fullCli(argv: string[]): Promise<void> {
  const { default: yargs } = await import('yargs');
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const cli = yargs(argv)
    .scriptName('husk')
    .usage('Usage: husk [options] <command>\n\nA rootless, daemonless container engine.')
    .options(GLOBAL_OPTIONS)
    // podman's wording and its -v: scripts read the third word.
    .version(`husk version ${HUSK_VERSION}`)
    .alias('version', 'v')
    .help()
    .strict()
    .demandCommand(1, 'Specify a command, for example: husk run --rm IMAGE echo hello')
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const c of commands) cli.command(c as CommandModule);
  await cli.parseAsync();
}

export async function main(rawArgv: string[]): Promise<void> {
  noteStdioStreams();
  try {
    trace('cli: loaded');
    const found = await findCommand(rawArgv);
    // No command, or a group without its subcommand: yargs says what is missing.
    if (!found || found.declared.commands.length > 0) await fullCli(rawArgv);
    else if (!(await runCommand(found))) await fullCli([...found.path, '--help']);
  } catch (err) {
    await fail(err);
  }
  // The command is done. process.exit skips tearing down V8's heap, a few
  // milliseconds of every command, once what stdout and stderr still queue
  // (a socket or pipe that was full) has gone out.
  await stdioDrained();
  process.exitCode = exitStatus() ?? process.exitCode;
  process.exit();
}

/**
 * Installed (linked) as husk-compose or docker-compose, husk is `husk
 * compose`; as husk-generator (husk-user-generator), the systemd generator
 * of Quadlet files (`husk system generator`).
 */
function commandLine(argv: string[]): string[] {
  const name = (argv[1] ?? '').split('/').pop();
  if (name === 'docker-compose' || name === 'husk-compose') return ['compose', ...argv.slice(2)];
  if (name === 'husk-generator') return ['system', 'generator', ...argv.slice(2)];
  if (name === 'husk-user-generator') return ['system', 'generator', '--user', ...argv.slice(2)];
  return argv.slice(2);
}

void main(commandLine(process.argv));
