// husk compose pause [SERVICE...]: the services' running containers frozen.
import type { CommandModule } from 'yargs';
import { freeze } from '../../engine/pause.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

export const composePauseCommand: CommandModule<object, ComposeArgs & { services?: string[] }> = {
  command: 'pause [services..]',
  describe: 'Pause services',
  handler: (argv) => actOnServices(argv, { reverse: true, select: (v) => v.status === 'running' && !v.paused, doing: 'Pausing', done: 'Paused' }, (ctx, v) => freeze(ctx, v, true)),
};
