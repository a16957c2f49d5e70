// husk stop [-t SECONDS] [-a | -l | --filter F] CONTAINER...
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { stopContainers } from '../../engine/lifecycle.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports, withoutMissing } from '../each.js';
import { namesAndIdFiles } from '../run-options.js';
import { bulkTargets, FILTER_OPTION, LATEST_OPTION } from '../targets.js';

type StopArgs = GlobalArgs & { containers: string[]; time?: number; all: boolean; latest: boolean; filter: string[]; ignore: boolean; cidfile: string[] };

/** --ignore and --cidfile, which stop and rm share (podman's, for generated units). */
export const ID_FILE_OPTIONS = {
  ignore: { alias: 'i', type: 'boolean', default: false, describe: 'A container that does not exist (or a --cidfile that is missing) is no error' },
  cidfile: { type: 'string', array: true, nargs: 1, default: [], describe: 'Read the container ID from this file' },
} as const;

export const stopCommand: CommandModule<object, StopArgs> = {
  command: 'stop [containers..]',
  describe: 'Stop running containers: the stop signal, then SIGKILL after a timeout',
  builder: (y) =>
    y.options({
      time: { alias: ['t', 'timeout'], type: 'number', coerce: lastWins, describe: 'Seconds to wait before SIGKILL (default: the container\'s, 10)' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Stop all running containers' },
      ...LATEST_OPTION,
      filter: { ...FILTER_OPTION.filter, alias: 'f' },
      ...ID_FILE_OPTIONS,
    }) as never,
  handler: async (argv) => {
    const time = checkedSeconds(argv.time, '--time');
    const ctx = contextFrom(argv);
    const names = namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', argv.ignore);
    // Only missing --cidfile files named them, and --ignore forgives that.
    if (!argv.all && names.length === 0 && argv.ignore && argv.cidfile.length) return;
    const targets = bulkTargets(ctx, { names, all: argv.all, latest: argv.latest, filter: argv.filter });
    if (argv.filter.length && targets.names.length === 0) return;
    printReports(withoutMissing(await stopContainers(ctx, targets, time), argv.ignore));
  },
};

export function checkedSeconds(value: number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`invalid ${flag} "${value}": give seconds, 0 or more`);
  return value;
}
