// husk pod stop [-a] [-t N] [--ignore] [--pod-id-file F] POD...: the pod's containers, then the infra.
import type { CommandModule } from 'yargs';
import { stopPod } from '../../engine/pods.js';
import { lastWins } from '../common.js';
import { ALL_OPTION, eachPod, IGNORE_OPTION, type PodVerbArgs } from '../pod-options.js';

export const podStopCommand: CommandModule<object, PodVerbArgs & { time?: number }> = {
  command: 'stop [pods..]',
  describe: 'Stop one or more pods',
  builder: (y) => y.options({ ...ALL_OPTION, ...IGNORE_OPTION, time: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait before killing each container' } }) as never,
  handler: (argv) => eachPod(argv, (ctx, pod) => stopPod(ctx, pod, argv.time)),
};
