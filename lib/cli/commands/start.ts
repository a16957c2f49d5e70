// husk start [-a] [-i] [--all | -l] [--filter restart-policy=P] CONTAINER...
import type { CommandModule } from 'yargs';
import { getContainer } from '../../engine/containers.js';
import { UsageError } from '../../core/errors.js';
import { startableForAttach, startContainers } from '../../engine/lifecycle.js';
import { parseDetachKeys, runAttached } from '../../engine/start.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';
import { exitCodeOf, terminalIO } from './run.js';

type StartArgs = GlobalArgs & { containers: string[]; attach: boolean; interactive: boolean; all: boolean; latest: boolean; filter: string[]; detachKeys?: string; sigProxy: boolean };

export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start [containers..]',
  describe: 'Start containers: created ones, and again those that exited',
  builder: (y) =>
    y.options({
      attach: { alias: 'a', type: 'boolean', default: false, describe: 'Attach to the container\'s output' },
      interactive: { alias: 'i', type: 'boolean', default: false, describe: 'Attach the container\'s STDIN' },
      all: { type: 'boolean', default: false, describe: 'Start all containers that are not running (after a reboot: with --filter restart-policy=always)' },
      ...LATEST_OPTION,
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Only the containers that match (alone: all of them): restart-policy=POLICY, and ps\'s filters (status=, name=, label=, ...)' },
      'detach-keys': { type: 'string', coerce: lastWins, describe: 'Keys that detach from the session (default ctrl-p,ctrl-q)' },
      'sig-proxy': { type: 'boolean', default: true, describe: 'With -a: proxy received signals to the container' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const names = namesOrLatest(ctx, argv.containers ?? [], argv.latest);
    if (argv.attach && (names.length > 1 || argv.all)) throw new UsageError('you cannot start and attach more than one container at once');
    if (argv.attach) {
      const view = startableForAttach(ctx, getContainer(ctx, names[0] ?? ''));
      const end = await runAttached(ctx, view, terminalIO(), { sigProxy: argv.sigProxy, detachKeys: parseDetachKeys(argv.detachKeys), stdin: argv.interactive });
      process.exitCode = exitCodeOf(end);
      return;
    }
    printReports(await startContainers(ctx, { names, all: argv.all }, argv.filter));
  },
};
