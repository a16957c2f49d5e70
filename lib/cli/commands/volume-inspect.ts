// husk volume inspect [--format F] NAME...
import type { CommandModule } from 'yargs';
import { exitCodeFor } from '../../core/errors.js';
import { inspectVolume } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type InspectArgs = GlobalArgs & { volumes: string[]; format?: string };

export const volumeInspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <volumes..>',
  describe: 'Show details of volumes, as JSON',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', describe: 'A template such as "{{.Mountpoint}}"' } }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const found: Record<string, unknown>[] = [];
    for (const name of argv.volumes) {
      try {
        found.push(inspectVolume(ctx, name));
      } catch (err) {
        // Like docker: the ones found are still shown, each missing one named.
        process.stderr.write(`Error: ${(err as Error).message}\n`);
        process.exitCode = exitCodeFor(err);
      }
    }
    if (argv.format && argv.format !== 'json') printOut(renderRows(argv.format, found as unknown as Row[]));
    else printOut(`${JSON.stringify(found, null, 4)}\n`);
  },
};
