// husk diff [--format json] CONTAINER: A/C/D lines, as docker prints them.
import type { CommandModule } from 'yargs';
import { containerChanges } from '../../engine/diff.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, nameOrLatest } from '../targets.js';

type DiffArgs = GlobalArgs & { container?: string; format?: string; latest: boolean };

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: 'diff [container]',
  describe: "Show what a container changed in its file system (A added, C changed, D deleted)",
  builder: (y) =>
    y.options({
      ...LATEST_OPTION,
      format: { type: 'string', coerce: lastWins, describe: 'json: {"changed":[...],"added":[...],"deleted":[...]} as podman prints it' },
    }) as never,
  handler: async (argv) => {
    if (argv.format !== undefined && argv.format !== 'json') throw new UsageError(`unsupported --format "${argv.format}": only json is supported`);
    const ctx = contextFrom(argv);
    const changes = await containerChanges(ctx, nameOrLatest(ctx, argv.container, argv.latest, 'diff'));
    if (argv.format === 'json') {
      const of = (k: string) => changes.filter((c) => c.kind === k).map((c) => c.path);
      printOut(`${JSON.stringify({ changed: of('C'), added: of('A'), deleted: of('D') }, null, 4)}\n`);
      return;
    }
    printOut(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
  },
};
