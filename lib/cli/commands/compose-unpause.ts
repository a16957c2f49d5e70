// husk compose unpause [SERVICE...]: the services' paused containers thawed.
import type { CommandModule } from 'yargs';
import { freeze } from '../../engine/pause.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

export const composeUnpauseCommand: CommandModule<object, ComposeArgs & { services?: string[] }> = {
  command: 'unpause [services..]',
  describe: 'Unpause services',
  handler: (argv) => actOnServices(argv, { reverse: false, select: (v) => v.paused === true, doing: 'Unpausing', done: 'Unpaused' }, (ctx, v) => freeze(ctx, v, false)),
};
