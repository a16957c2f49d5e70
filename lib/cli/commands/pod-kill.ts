// husk pod kill [-a] [-s SIGNAL] POD...: a signal to every running container of the pods.
import type { CommandModule } from 'yargs';
import { podContainers } from '../../engine/pods.js';
import { killContainer, parseSignal } from '../../engine/lifecycle.js';
import { lastWins } from '../common.js';
import { ALL_OPTION, eachPod, type PodVerbArgs } from '../pod-options.js';

export const podKillCommand: CommandModule<object, PodVerbArgs & { signal: string }> = {
  command: 'kill [pods..]',
  describe: 'Send the specified signal or SIGKILL to containers in a pod',
  builder: (y) => y.options({ ...ALL_OPTION, signal: { alias: 's', type: 'string', default: 'KILL', coerce: lastWins, describe: 'Signal to send to the containers' } }) as never,
  handler: (argv) => {
    const signal = parseSignal(argv.signal);
    return eachPod(argv, (ctx, pod) => {
      for (const v of podContainers(ctx, pod)) if (v.status === 'running') killContainer(ctx, v, signal);
    });
  },
};
