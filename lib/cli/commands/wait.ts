// husk wait [--condition STATE]... [--interval MS] CONTAINER...
import type { CommandModule } from 'yargs';
import { UsageError, exitCodeFor, messageFor } from '../../core/errors.js';
import { waitContainer, type WaitCondition } from '../../engine/lifecycle.js';
import { findContainer, getContainer } from '../../engine/containers.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { parseDuration } from '../../core/duration.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';

type WaitArgs = GlobalArgs & { containers: string[]; condition: string[]; interval: string; latest: boolean; ignore: boolean; exitFirstMatch: boolean };

const CONDITIONS: WaitCondition[] = ['configured', 'created', 'exited', 'healthy', 'paused', 'removing', 'running', 'stopped', 'unhealthy'];

export const waitCommand: CommandModule<object, WaitArgs> = {
  command: 'wait [containers..]',
  describe: 'Wait for containers to stop and print their exit codes',
  builder: (y) =>
    y.options({
      condition: { type: 'string', array: true, nargs: 1, default: [], describe: `Wait for this state instead: ${CONDITIONS.join(', ')}` },
      interval: { alias: 'i', type: 'string', coerce: lastWins, default: '250ms', describe: 'How often to look (e.g. 250ms, 1s)' },
      ...LATEST_OPTION,
      ignore: { type: 'boolean', default: false, describe: 'A container that does not exist is no error: its code is -1' },
      'exit-first-match': { type: 'boolean', default: false, describe: 'Return once one of the containers meets the condition' },
    }) as never,
  handler: async (argv) => {
    const conditions = argv.condition.map((c) => {
      if (!CONDITIONS.includes(c as WaitCondition)) throw new UsageError(`invalid --condition "${c}": use one of ${CONDITIONS.join(', ')}`);
      return c as WaitCondition;
    });
    const interval = parseDuration(String(argv.interval));
    if (interval === undefined) throw new UsageError(`invalid --interval "${argv.interval}": use e.g. 250ms, 2s, 1m`);
    const ctx = contextFrom(argv);
    const names = namesOrLatest(ctx, argv.containers ?? [], argv.latest);
    if (names.length === 0) throw new UsageError("wait needs a container name or ID, or --latest (see 'husk wait --help')");
    const waitFor = async (name: string): Promise<number> => {
      const view = argv.ignore ? findContainer(ctx, name) : getContainer(ctx, name);
      return view ? waitContainer(ctx, view, conditions, interval) : -1;
    };
    if (argv.exitFirstMatch) {
      printOut(`${await Promise.race(names.map(waitFor))}\n`);
      return;
    }
    for (const name of names) {
      try {
        printOut(`${await waitFor(name)}\n`);
      } catch (err) {
        process.stderr.write(`Error: ${messageFor(err)}\n`);
        process.exitCode = exitCodeFor(err);
      }
    }
  },
};
