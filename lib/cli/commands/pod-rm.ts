// husk pod rm [-a] [-f] [-t N] [--ignore] POD...: the pods and all their containers.
import type { CommandModule } from 'yargs';
import { podExists, removePod } from '../../engine/pods.js';
import { contextFrom, lastWins } from '../common.js';
import { ALL_OPTION, eachPod, type PodVerbArgs } from '../pod-options.js';

type RmArgs = PodVerbArgs & { force: boolean; time?: number; ignore: boolean };

export const podRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [pods..]',
  describe: 'Remove one or more stopped pods and their containers (-f: running ones too)',
  builder: (y) =>
    y.options({
      ...ALL_OPTION,
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Stop running containers first' },
      time: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait for each container to stop (with -f)' },
      ignore: { alias: 'i', type: 'boolean', default: false, describe: 'A pod that does not exist is no error' },
    }) as never,
  handler: async (argv) => {
    if (argv.ignore) {
      const ctx = contextFrom(argv);
      argv.pods = (argv.pods ?? []).filter((p) => podExists(ctx, p));
      if (!argv.all && argv.pods.length === 0) return;
    }
    await eachPod(argv, (ctx, pod) => removePod(ctx, pod, argv.force, argv.time));
  },
};
