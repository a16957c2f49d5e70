// husk compose stop [-t N] [SERVICE...]: the services' running containers stopped, dependents first.
import type { CommandModule } from 'yargs';
import { stopContainer } from '../../engine/lifecycle.js';
import { lastWins } from '../common.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

type StopArgs = ComposeArgs & { services?: string[]; timeout?: number };

export const composeStopCommand: CommandModule<object, StopArgs> = {
  command: 'stop [services..]',
  describe: 'Stop services',
  builder: (y) => y.options({ timeout: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait for each container to stop before killing it' } }) as never,
  handler: (argv) => actOnServices(argv, { reverse: true, select: (v) => v.status === 'running', doing: 'Stopping', done: 'Stopped' }, (ctx, v) => stopContainer(ctx, v, argv.timeout)),
};
