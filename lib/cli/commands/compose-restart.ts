// husk compose restart [-t N] [SERVICE...]: the services' containers stopped and started again.
import type { CommandModule } from 'yargs';
import { withRestartDependents } from '../../engine/compose.js';
import { restartContainer } from '../../engine/lifecycle.js';
import { lastWins } from '../common.js';
import { actOnServices, type ComposeArgs } from '../compose-options.js';

type RestartArgs = ComposeArgs & { services?: string[]; timeout?: number; noDeps: boolean };

export const composeRestartCommand: CommandModule<object, RestartArgs> = {
  command: 'restart [services..]',
  describe: 'Restart service containers',
  builder: (y) =>
    y.options({
      timeout: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait for each container to stop before killing it' },
      'no-deps': { type: 'boolean', default: false, describe: "Don't restart dependent services (those with depends_on restart: true)" },
    }) as never,
  handler: (argv) =>
    actOnServices(
      argv,
      { reverse: false, select: () => true, doing: 'Restarting', done: 'Started', expand: argv.noDeps ? undefined : withRestartDependents },
      (ctx, v) => restartContainer(ctx, v, argv.timeout),
    ),
};
