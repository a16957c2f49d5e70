// husk secret rm [--all] [--ignore] NAME...
import type { CommandModule } from 'yargs';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { listSecrets, removeSecret } from '../../engine/secrets.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type RmArgs = GlobalArgs & { secrets?: string[]; all: boolean; ignore: boolean };

export const secretRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [secrets..]',
  aliases: ['remove'],
  describe: 'Remove secrets',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove every secret' },
      ignore: { alias: 'i', type: 'boolean', default: false, describe: 'No error for a secret that does not exist' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const names = argv.all ? listSecrets(ctx).map((s) => s.id) : argv.secrets ?? [];
    if (!argv.all && names.length === 0) throw new UsageError('secret rm needs at least one secret name, or --all');
    if (argv.all && argv.secrets?.length) throw new UsageError('--all and secret names cannot be used together');
    const reports = names.flatMap((n) => {
      try {
        return [{ name: removeSecret(ctx, n).id }];
      } catch (err) {
        if (argv.ignore && err instanceof NotFoundError) return [];
        return [{ name: n, error: err as Error }];
      }
    });
    printReports(reports);
  },
};
