// husk volume rm [-f] NAME...
import type { CommandModule } from 'yargs';
import { ConflictError, exitCodeFor, NotFoundError } from '../../core/errors.js';
import { removeVolumes } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type RmArgs = GlobalArgs & { volumes: string[]; force: boolean };

/** podman's exit codes for volume rm: 1 no such volume, 2 in use, 125 anything else. */
function exitCode(err: Error): number {
  if (err instanceof NotFoundError) return 1;
  if (err instanceof ConflictError) return 2;
  return exitCodeFor(err);
}

export const volumeRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm <volumes..>',
  aliases: ['remove'],
  describe: 'Remove volumes (-f: and the containers using them)',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Remove the containers using the volumes first' } }) as never,
  handler: async (argv) => {
    printReports(await removeVolumes(contextFrom(argv), argv.volumes, argv.force), exitCode);
  },
};
