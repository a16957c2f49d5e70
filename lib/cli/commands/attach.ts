// husk attach [--no-stdin] [--sig-proxy=false] [--detach-keys KEYS] CONTAINER
import type { CommandModule } from 'yargs';
import { attachContainer, parseDetachKeys } from '../../engine/start.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { exitCodeOf, terminalIO } from './run.js';
import { LATEST_OPTION, nameOrLatest } from '../targets.js';

type AttachArgs = GlobalArgs & { container?: string; latest: boolean; stdin: boolean; sigProxy: boolean; detachKeys?: string };

export const attachCommand: CommandModule<object, AttachArgs> = {
  command: 'attach [container]',
  describe: 'Attach to a running container\'s input and output (detach with ctrl-p ctrl-q)',
  builder: (y) =>
    y.options({
      // --no-stdin negates --stdin.
      ...LATEST_OPTION,
      stdin: { type: 'boolean', default: true, describe: 'Forward our input (--no-stdin: output only)' },
      'sig-proxy': { type: 'boolean', default: true, describe: 'Proxy received signals to the container (without a terminal)' },
      'detach-keys': { type: 'string', coerce: lastWins, describe: 'Keys that detach (default ctrl-p,ctrl-q; "" for none)' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const detachKeys = parseDetachKeys(argv.detachKeys);
    const view = getContainer(ctx, nameOrLatest(ctx, argv.container, argv.latest, 'attach'));
    const end = await attachContainer(ctx, view, terminalIO(), { sigProxy: argv.sigProxy, detachKeys, stdin: argv.stdin });
    process.exitCode = exitCodeOf(end);
  },
};
