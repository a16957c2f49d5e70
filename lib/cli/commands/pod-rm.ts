// husk pod rm [-a] [-f] [-t N] [--ignore] [--pod-id-file F] POD...: the pods and all their containers.
import type { CommandModule } from 'yargs';
import { removePod } from '../../engine/pods.js';
import { lastWins } from '../common.js';
import { ALL_OPTION, eachPod, IGNORE_OPTION, type PodVerbArgs } from '../pod-options.js';

type RmArgs = PodVerbArgs & { force: boolean; time?: number };

export const podRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [pods..]',
  describe: 'Remove one or more stopped pods and their containers (-f: running ones too)',
  builder: (y) =>
    y.options({
      ...ALL_OPTION,
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Stop running containers first' },
      time: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait for each container to stop (with -f)' },
      ...IGNORE_OPTION,
    }) as never,
  handler: (argv) => eachPod(argv, (ctx, pod) => removePod(ctx, pod, argv.force, argv.time)),
};
