// husk compose down [-v] [--rmi local|all] [--remove-orphans] [-t N]:
// the project's containers stopped and removed, then its networks (and with
// -v its named volumes, with --rmi its images).
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { composeDown } from '../../engine/compose-down.js';
import { contextFrom, lastWins } from '../common.js';
import { loadComposeProject, report, type ComposeArgs } from '../compose-options.js';

type DownArgs = ComposeArgs & { volumes: boolean; rmi?: string; removeOrphans: boolean; timeout?: number };

export const composeDownCommand: CommandModule<object, DownArgs> = {
  command: 'down',
  describe: 'Stop and remove containers and networks',
  builder: (y) =>
    y.options({
      volumes: { alias: 'v', type: 'boolean', default: false, describe: 'Remove named volumes declared in the volumes section and anonymous volumes' },
      rmi: { type: 'string', coerce: lastWins, describe: 'Remove images used by services: local (those without a custom tag) or all' },
      'remove-orphans': { type: 'boolean', default: false, describe: 'Remove containers for services not defined in the compose file' },
      timeout: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait for each container to stop' },
    }) as never,
  handler: async (argv) => {
    if (argv.rmi !== undefined && argv.rmi !== 'local' && argv.rmi !== 'all') throw new UsageError(`invalid --rmi "${argv.rmi}": use local or all`);
    const ctx = contextFrom(argv);
    await composeDown(ctx, loadComposeProject(argv), { volumes: argv.volumes, rmi: argv.rmi as 'local' | 'all' | undefined, removeOrphans: argv.removeOrphans, timeoutSec: argv.timeout, report });
  },
};
