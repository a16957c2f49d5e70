// husk compose kill [-s SIGNAL] [SERVICE...]: a signal (SIGKILL) to the services' running containers.
import type { CommandModule } from 'yargs';
import { killContainer, parseSignal } from '../../engine/lifecycle.js';
import { lastWins } from '../common.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

type KillArgs = ComposeArgs & { services?: string[]; signal: string; removeOrphans: boolean };

export const composeKillCommand: CommandModule<object, KillArgs> = {
  command: 'kill [services..]',
  describe: 'Force stop service containers',
  builder: (y) =>
    y.options({
      signal: { alias: 's', type: 'string', default: 'SIGKILL', coerce: lastWins, describe: 'SIGNAL to send to the container' },
      'remove-orphans': { type: 'boolean', default: false, describe: 'Accepted for docker compose (husk kills only the services of the file)' },
    }) as never,
  handler: (argv) => {
    const signal = parseSignal(argv.signal);
    return actOnServices(argv, { reverse: true, select: (v) => v.status === 'running', doing: 'Killing', done: 'Killed' }, (ctx, v) => killContainer(ctx, v, signal));
  },
};
