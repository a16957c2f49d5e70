// husk volume rm [-f [-t SECONDS]] NAME... | --all
import type { CommandModule } from 'yargs';
import { ConflictError, exitCodeFor, NotFoundError, UsageError } from '../../core/errors.js';
import { allVolumeNames, removeVolumes } from '../../engine/volumes.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type RmArgs = GlobalArgs & { volumes?: string[]; force: boolean; all: boolean; time?: number };

/** podman's exit codes for volume rm: 1 no such volume, 2 in use, 125 anything else. */
function exitCode(err: Error): number {
  if (err instanceof NotFoundError) return 1;
  if (err instanceof ConflictError) return 2;
  return exitCodeFor(err);
}

export const volumeRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [volumes..]',
  aliases: ['remove'],
  describe: 'Remove volumes (-f: and the containers using them)',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove every volume (with -f, also those in use)' },
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Remove the containers using the volumes first; no error for unknown volumes' },
      time: { alias: 't', type: 'number', coerce: lastWins, describe: 'With -f: seconds running containers get to stop before they are killed (default: killed at once, as rm -f)' },
    }) as never,
  handler: async (argv) => {
    const names = argv.volumes ?? [];
    if (argv.all === names.length > 0) throw new UsageError(argv.all ? 'when using the --all switch, you may not pass any volume names or IDs' : 'choose either one or more volumes or all');
    if (argv.time !== undefined && (!Number.isInteger(argv.time) || argv.time < 0)) throw new UsageError(`invalid --time "${argv.time}": give a whole number of seconds`);
    const ctx = contextFrom(argv);
    printReports(await removeVolumes(ctx, argv.all ? allVolumeNames(ctx) : names, { force: argv.force, timeoutSec: argv.time }), exitCode);
  },
};
