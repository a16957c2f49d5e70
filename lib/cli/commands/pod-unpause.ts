// husk pod unpause [-a] POD...: every paused container of the pods thawed.
import type { CommandModule } from 'yargs';
import { freeze } from '../../engine/pause.js';
import { podContainers } from '../../engine/pods.js';
import { ALL_OPTION, eachPod, type PodVerbArgs } from '../pod-options.js';

export const podUnpauseCommand: CommandModule<object, PodVerbArgs> = {
  command: 'unpause [pods..]',
  describe: 'Unpause one or more pods',
  builder: (y) => y.options(ALL_OPTION) as never,
  handler: (argv) =>
    eachPod(argv, (ctx, pod) => {
      for (const v of podContainers(ctx, pod)) if (v.paused) freeze(ctx, v, false);
    }),
};
