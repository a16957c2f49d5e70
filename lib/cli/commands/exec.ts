// husk exec [-i] [-t] [-d] [-e K=V]... [--env-file F] [-u USER] [-w DIR] [--privileged] CONTAINER COMMAND [ARG...]
import type { CommandModule, Options } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { execInContainer } from '../../engine/exec.js';
import { TERMINAL_STREAMS } from '../terminal-ui.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { checkedWorkdir, envEntries, readIdFile } from '../run-options.js';
import { ignoredFlag, refusedFlag } from '../compat.js';
import { LATEST_OPTION, nameOrLatest } from '../targets.js';

export const EXEC_OPTIONS: Record<string, Options> = {
  interactive: { alias: 'i', type: 'boolean', default: false, describe: 'Keep STDIN open' },
  tty: { alias: 't', type: 'boolean', default: false, describe: 'Allocate a pseudo-TTY' },
  detach: { alias: 'd', type: 'boolean', default: false, describe: 'Run the command in the background' },
  env: { alias: 'e', type: 'string', array: true, nargs: 1, default: [], describe: 'Set environment variables (KEY=VALUE, or KEY to pass the host value)' },
  'env-file': { type: 'string', array: true, nargs: 1, default: [], describe: 'Read environment variables from a file' },
  user: { alias: 'u', type: 'string', coerce: lastWins, describe: 'Username or UID, optionally with group (USER[:GROUP])' },
  workdir: { alias: 'w', type: 'string', coerce: lastWins, describe: 'Working directory inside the container' },
  privileged: { type: 'boolean', default: false, describe: 'Give the process all capabilities' },
  'detach-keys': { type: 'string', coerce: lastWins, describe: 'Key sequence to detach (accepted; exec sessions end with their process)' },
};

/** exec's own: EXEC_OPTIONS are also compose exec's. */
const EXEC_ONLY_OPTIONS: Record<string, Options> = {
  ...LATEST_OPTION,
  cidfile: { type: 'string', coerce: lastWins, describe: 'Run in the container whose ID this file holds' },
  'no-session': ignoredFlag('no-session', 'boolean', 'husk keeps no record of exec sessions to skip'),
  'preserve-fds': { type: 'number', coerce: lastWins, describe: 'Pass file descriptors 3 to 2+N of husk\'s on to the process' },
  'preserve-fd': refusedFlag('preserve-fd', 'string', 'husk passes a range of file descriptors: --preserve-fds N for 3 to 2+N'),
};

type ExecArgs = GlobalArgs & {
  container?: string;
  latest: boolean;
  cidfile?: string;
  preserveFds?: number;
  command?: string[];
  interactive: boolean;
  tty: boolean;
  detach: boolean;
  env: string[];
  envFile: string[];
  user?: string;
  workdir?: string;
  privileged: boolean;
};

export const execCommand: CommandModule<object, ExecArgs> = {
  command: 'exec [container] [command..]',
  describe: 'Run a command in a running container',
  builder: (y) => y.options({ ...EXEC_OPTIONS, ...EXEC_ONLY_OPTIONS }).parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    // With --latest or --cidfile the first word is already the command.
    const named = !argv.latest && argv.cidfile === undefined;
    const command = !named && argv.container !== undefined ? [argv.container, ...(argv.command ?? [])] : (argv.command ?? []);
    if (command.length === 0) throw new UsageError('exec needs a command to run in the container');
    const workdir = checkedWorkdir(argv.workdir);
    const ctx = contextFrom(argv);
    const fromFile = argv.cidfile === undefined ? undefined : readIdFile(argv.cidfile, '--cidfile');
    const view = getContainer(ctx, nameOrLatest(ctx, named ? argv.container : fromFile, argv.latest, 'exec'));
    process.exitCode = await execInContainer(
      ctx,
      view,
      {
        command,
        interactive: argv.interactive,
        tty: argv.tty,
        detach: argv.detach,
        env: envEntries(argv.env, argv.envFile),
        user: argv.user,
        workdir,
        privileged: argv.privileged,
        preserveFds: argv.preserveFds,
      },
      TERMINAL_STREAMS,
    );
  },
};
