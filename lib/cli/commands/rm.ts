// husk rm [-f [-t SECONDS]] [-a] [-v] CONTAINER...
import type { CommandModule } from 'yargs';
import { removeContainers } from '../../engine/remove.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports, withoutMissing } from '../each.js';
import { namesAndIdFiles } from '../run-options.js';
import { checkedSeconds, ID_FILE_OPTIONS } from './stop.js';

type RmArgs = GlobalArgs & { containers: string[]; force: boolean; all: boolean; depend: boolean; volumes: boolean; time?: number; ignore: boolean; cidfile: string[] };

export const rmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [containers..]',
  describe: 'Remove one or more containers',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Kill and remove running containers' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove all containers' },
      volumes: { alias: 'v', type: 'boolean', default: false, describe: 'Remove the anonymous volumes of the containers' },
      time: { alias: 't', type: 'number', coerce: lastWins, describe: 'With -f: stop a running container first, SIGKILL after this many seconds (default: kill at once)' },
      // Nothing depends on a container in husk (no pods, no shared namespaces yet): accepted as a no-op.
      depend: { type: 'boolean', default: false, describe: 'Also remove containers that depend on these' },
      ...ID_FILE_OPTIONS,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const stopTimeoutSec = checkedSeconds(argv.time, '--time');
    const names = namesAndIdFiles(argv.containers, argv.cidfile, '--cidfile', argv.ignore);
    if (!argv.all && names.length === 0 && argv.ignore && argv.cidfile.length) return;
    printReports(withoutMissing(await removeContainers(ctx, { names, all: argv.all }, { force: argv.force, volumes: argv.volumes, stopTimeoutSec }), argv.ignore));
  },
};
