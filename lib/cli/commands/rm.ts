// husk rm [-f [-t SECONDS]] [-a | -l | --filter F] [--depend] [-v] CONTAINER...
import type { CommandModule } from 'yargs';
import { exitCodeFor, NotFoundError } from '../../core/errors.js';
import { ContainerRunningError, removeContainers } from '../../engine/remove.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports, withoutMissing } from '../each.js';
import { namesAndIdFiles } from '../run-options.js';
import { bulkTargets, FILTER_OPTION, LATEST_OPTION } from '../targets.js';
import { checkedSeconds, ID_FILE_OPTIONS } from './stop.js';

type RmArgs = GlobalArgs & { containers: string[]; force: boolean; all: boolean; latest: boolean; filter: string[]; depend: boolean; volumes: boolean; time?: number; ignore: boolean; cidfile: string[] };

export const rmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [containers..]',
  describe: 'Remove one or more containers',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Kill and remove running containers; a missing one is no error' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove all containers' },
      ...LATEST_OPTION,
      ...FILTER_OPTION,
      volumes: { alias: 'v', type: 'boolean', default: false, describe: 'Remove the anonymous volumes of the containers' },
      time: { alias: 't', type: 'number', coerce: lastWins, describe: 'With -f: stop a running container first, SIGKILL after this many seconds (default: kill at once)' },
      depend: { type: 'boolean', default: false, describe: 'First remove the containers that depend on these (--network container:NAME)' },
      ...ID_FILE_OPTIONS,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const stopTimeoutSec = checkedSeconds(argv.time, '--time');
    const names = namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', argv.ignore);
    if (!argv.all && names.length === 0 && argv.ignore && argv.cidfile.length) return;
    const targets = bulkTargets(ctx, { names, all: argv.all, latest: argv.latest, filter: argv.filter });
    if (argv.filter.length && targets.names.length === 0) return;
    const reports = await removeContainers(ctx, targets, { force: argv.force, volumes: argv.volumes, stopTimeoutSec, depend: argv.depend });
    // -f: what is not there is removed already, as docker's and podman's rm -f say.
    printReports(withoutMissing(reports, argv.ignore || argv.force), rmExitCode);
  },
};

/** podman's: 1 when a container does not exist, 2 when one runs (or is paused) and -f was not given. */
function rmExitCode(err: Error): number {
  if (err instanceof NotFoundError) return 1;
  if (err instanceof ContainerRunningError) return 2;
  return exitCodeFor(err);
}
