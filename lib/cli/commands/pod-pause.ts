// husk pod pause [-a] POD...: every running container of the pods frozen.
import type { CommandModule } from 'yargs';
import { freeze } from '../../engine/pause.js';
import { podContainers } from '../../engine/pods.js';
import { ALL_OPTION, eachPod, type PodVerbArgs } from '../pod-options.js';

export const podPauseCommand: CommandModule<object, PodVerbArgs> = {
  command: 'pause [pods..]',
  describe: 'Pause one or more pods',
  builder: (y) => y.options(ALL_OPTION) as never,
  handler: (argv) =>
    eachPod(argv, (ctx, pod) => {
      for (const v of podContainers(ctx, pod)) if (v.status === 'running' && !v.paused) freeze(ctx, v, true);
    }),
};
