// husk compose exec [-d] [-T] [-e K=V]... [-u USER] [-w DIR] [--index N] SERVICE COMMAND [ARG...]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { execInContainer } from '../../engine/exec.js';
import { many, contextFrom, lastWins } from '../common.js';
import { loadComposeProject, serviceContainer, type ComposeArgs } from '../compose-options.js';
import { checkedWorkdir, envEntries } from '../run-options.js';
import { TERMINAL_STREAMS } from '../terminal-ui.js';

type ExecArgs = ComposeArgs & { service: string; command?: string[]; detach: boolean; noTty: boolean; interactive: boolean; env: string[]; user?: string; workdir?: string; privileged: boolean; index?: number };

export const composeExecCommand: CommandModule<object, ExecArgs> = {
  command: 'exec <service> [command..]',
  describe: 'Execute a command in a running container',
  builder: (y) =>
    y
      .options({
        detach: { alias: 'd', type: 'boolean', default: false, describe: 'Detached mode: run the command in the background' },
        'no-TTY': { alias: ['T', 'no-tty'], type: 'boolean', default: false, describe: 'Disable pseudo-TTY allocation (default: a TTY when stdin is one)' },
        interactive: { alias: 'i', type: 'boolean', default: true, describe: 'Keep STDIN open' },
        env: { alias: 'e', ...many('Set environment variables') },
        user: { alias: 'u', type: 'string', coerce: lastWins, describe: 'Run the command as this user' },
        workdir: { alias: 'w', type: 'string', coerce: lastWins, describe: 'Path to workdir directory for this command' },
        privileged: { type: 'boolean', default: false, describe: 'Give extended privileges to the process' },
        index: { type: 'number', coerce: lastWins, describe: 'Index of the container if the service has multiple replicas' },
      })
      .parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    const command = argv.command ?? [];
    if (command.length === 0) throw new UsageError('compose exec needs a command to run in the container');
    const ctx = contextFrom(argv);
    const c = serviceContainer(ctx, loadComposeProject(argv, { quiet: true }), argv.service, argv.index);
    const noTty = (argv as unknown as Record<string, boolean>).noTTY || argv.noTty;
    process.exitCode = await execInContainer(
      ctx,
      c.view,
      {
        command,
        interactive: argv.interactive && !argv.detach,
        tty: !noTty && !argv.detach && process.stdin.isTTY === true,
        detach: argv.detach,
        env: envEntries(argv.env, []),
        user: argv.user,
        workdir: checkedWorkdir(argv.workdir),
        privileged: argv.privileged,
      },
      TERMINAL_STREAMS,
    );
  },
};
