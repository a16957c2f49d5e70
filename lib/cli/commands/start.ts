// husk start [-a] [-i] [--all [--filter restart-policy=P]] CONTAINER...
import type { CommandModule } from 'yargs';
import { getContainer } from '../../engine/containers.js';
import { respawnContainer } from '../../engine/create.js';
import { UsageError } from '../../core/errors.js';
import { startAny } from '../../engine/lifecycle.js';
import { parseDetachKeys, runAttached } from '../../engine/start.js';
import type { ContainerView } from '../../runtime/container-store.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { forEachContainer } from '../each.js';
import { exitCodeOf, terminalIO } from './run.js';

type StartArgs = GlobalArgs & { containers: string[]; attach: boolean; interactive: boolean; all: boolean; filter: string[]; detachKeys?: string; sigProxy: boolean };

export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start [containers..]',
  describe: 'Start containers: created ones, and again those that exited',
  builder: (y) =>
    y.options({
      attach: { alias: 'a', type: 'boolean', default: false, describe: 'Attach to the container\'s output' },
      interactive: { alias: 'i', type: 'boolean', default: false, describe: 'Attach the container\'s STDIN' },
      all: { type: 'boolean', default: false, describe: 'Start all containers that are not running (after a reboot: with --filter restart-policy=always)' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'With --all: restart-policy=POLICY, status=STATUS, name=NAME' },
      'detach-keys': { type: 'string', coerce: lastWins, describe: 'Keys that detach from the session (default ctrl-p,ctrl-q)' },
      'sig-proxy': { type: 'boolean', default: true, describe: 'With -a: proxy received signals to the container' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const names = argv.containers ?? [];
    if (argv.attach && (names.length > 1 || argv.all)) throw new UsageError('you cannot start and attach more than one container at once');
    if (argv.attach) {
      const view = startable(ctx, getContainer(ctx, names[0] ?? ''));
      const end = await runAttached(ctx, view, terminalIO(), { sigProxy: argv.sigProxy, detachKeys: parseDetachKeys(argv.detachKeys), stdin: argv.interactive });
      process.exitCode = exitCodeOf(end);
      return;
    }
    const select = startFilter(argv.filter);
    await forEachContainer(ctx, names, argv.all, (v) => startAny(ctx, v), (v) => v.status !== 'running' && select(v));
  },
};

/** start -a of a container that exited: a new init, left created for runAttached to start. */
function startable(ctx: ReturnType<typeof contextFrom>, view: ContainerView): ContainerView {
  if (view.status === 'created') return view;
  if (view.status === 'running') throw new UsageError(`container ${view.record.name} is already running: use husk attach`);
  return respawnContainer(ctx, view, 0);
}

function startFilter(filters: string[]): (v: ContainerView) => boolean {
  const tests = filters.map((f) => {
    const [key, value] = [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)];
    if (key === 'restart-policy') return (v: ContainerView) => (v.record.restartPolicy?.name ?? 'no') === value;
    if (key === 'status') return (v: ContainerView) => v.status === value;
    if (key === 'name') return (v: ContainerView) => v.record.name === value;
    throw new UsageError(`invalid filter "${f}": use restart-policy=, status= or name=`);
  });
  return (v) => tests.every((t) => t(v));
}
