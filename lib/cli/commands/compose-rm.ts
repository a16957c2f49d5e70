// husk compose rm [-f] [-s] [-v] [SERVICE...]: the services' stopped containers removed (with -s, stopped first).
import type { CommandModule } from 'yargs';
import { removeContainer } from '../../engine/remove.js';
import { stopContainer } from '../../engine/lifecycle.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

type RmArgs = ComposeArgs & { services?: string[]; force: boolean; stop: boolean; volumes: boolean };

export const composeRmCommand: CommandModule<object, RmArgs> = {
  command: 'rm [services..]',
  describe: 'Removes stopped service containers',
  builder: (y) =>
    y.options({
      force: { alias: 'f', type: 'boolean', default: false, describe: "Don't ask to confirm removal (husk never asks)" },
      stop: { alias: 's', type: 'boolean', default: false, describe: 'Stop the containers, if required, before removing' },
      volumes: { alias: 'v', type: 'boolean', default: false, describe: 'Remove any anonymous volumes attached to containers' },
    }) as never,
  handler: (argv) =>
    actOnServices(argv, { reverse: true, oneoff: true, select: (v) => argv.stop || v.status !== 'running', doing: 'Removing', done: 'Removed' }, async (ctx, v) => {
      if (argv.stop) await stopContainer(ctx, v);
      await removeContainer(ctx, v, true, argv.volumes);
    }),
};
