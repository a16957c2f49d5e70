// husk unshare [--rootless-netns] [COMMAND [ARG...]]: a command (default
// $SHELL) as uid 0 of the rootless store's user namespace, as podman unshare.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { unshare } from '../../engine/unshare.js';
import { contextFrom, type GlobalArgs } from '../common.js';

type UnshareArgs = GlobalArgs & { program?: string; args?: string[]; rootlessNetns: boolean };

export const unshareCommand: CommandModule<object, UnshareArgs> = {
  command: 'unshare [program] [args..]',
  describe: "Run a command in the user namespace of husk's rootless store",
  builder: (y) =>
    y
      .options({
        'rootless-netns': { type: 'boolean', default: false, describe: 'Also join the rootless network namespace of user networks (while a container on one runs)' },
      })
      .parserConfiguration({ 'populate--': true }) as never,
  handler: (argv) => {
    const shell = process.env.SHELL;
    const command = argv.program !== undefined ? [argv.program, ...(argv.args ?? [])] : shell ? [shell] : [];
    if (!command.length) throw new UsageError('no command specified and no $SHELL specified');
    process.exitCode = unshare(contextFrom(argv), command, { rootlessNetns: argv.rootlessNetns });
  },
};
