// husk pod start [-a] POD...: the infra, then the pod's containers.
import type { CommandModule } from 'yargs';
import { startPod } from '../../engine/pods.js';
import { ALL_OPTION, eachPod, type PodVerbArgs } from '../pod-options.js';

export const podStartCommand: CommandModule<object, PodVerbArgs> = {
  command: 'start [pods..]',
  describe: 'Start one or more pods',
  builder: (y) => y.options(ALL_OPTION) as never,
  handler: (argv) => eachPod(argv, (ctx, pod) => startPod(ctx, pod)),
};
