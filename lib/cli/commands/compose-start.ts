// husk compose start [SERVICE...]: the services' existing containers started, dependencies first.
import type { CommandModule } from 'yargs';
import { startAny } from '../../engine/lifecycle.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

export const composeStartCommand: CommandModule<object, ComposeArgs & { services?: string[] }> = {
  command: 'start [services..]',
  describe: 'Start services',
  handler: (argv) => actOnServices(argv, { reverse: false, select: (v) => v.status !== 'running', doing: 'Starting', done: 'Started' }, (ctx, v) => startAny(ctx, v)),
};
