// husk pod restart [-a] POD...: stopped and started again.
import type { CommandModule } from 'yargs';
import { startPod, stopPod } from '../../engine/pods.js';
import { ALL_OPTION, eachPod, type PodVerbArgs } from '../pod-options.js';

export const podRestartCommand: CommandModule<object, PodVerbArgs> = {
  command: 'restart [pods..]',
  describe: 'Restart one or more pods',
  builder: (y) => y.options(ALL_OPTION) as never,
  handler: (argv) =>
    eachPod(argv, async (ctx, pod) => {
      await stopPod(ctx, pod);
      startPod(ctx, pod);
    }),
};
