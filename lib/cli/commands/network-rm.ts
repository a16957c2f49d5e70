// husk network rm [-f [-t SECONDS]] NETWORK...
import type { CommandModule } from 'yargs';
import { ConflictError, exitCodeFor, NotFoundError, UsageError } from '../../core/errors.js';
import { removeNetworks } from '../../engine/networks.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type RmArgs = GlobalArgs & { networks: string[]; force: boolean; time?: number };

/** podman's exit codes for network rm: 1 no such network, 2 in use, 125 anything else. */
function exitCode(err: Error): number {
  if (err instanceof NotFoundError) return 1;
  if (err instanceof ConflictError) return 2;
  return exitCodeFor(err);
}

export const networkRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm <networks..>',
  aliases: ['remove'],
  describe: 'Remove networks (-f: and the containers on them)',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Remove the containers on the networks first; no error for unknown networks' },
      time: { alias: 't', type: 'number', coerce: lastWins, describe: 'With -f: seconds to wait for running containers to stop before killing them (default: kill at once)' },
    }) as never,
  handler: async (argv) => {
    if (argv.time !== undefined) {
      if (!argv.force) throw new UsageError('--force option must be specified to use the --time option');
      if (!Number.isInteger(argv.time) || argv.time < 0) throw new UsageError(`invalid --time "${argv.time}": give a whole number of seconds`);
    }
    printReports(await removeNetworks(contextFrom(argv), argv.networks, { force: argv.force, timeoutSec: argv.time }), exitCode);
  },
};
