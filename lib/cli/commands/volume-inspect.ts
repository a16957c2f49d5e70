// husk volume inspect [--format F] NAME... | --all
import type { CommandModule } from 'yargs';
import { exitCodeFor, UsageError } from '../../core/errors.js';
import { allVolumeNames, inspectVolume } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { parseTemplate } from '../format.js';
import { printOut } from '../output.js';

type InspectArgs = GlobalArgs & { volumes?: string[]; format?: string; all: boolean };

export const volumeInspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect [volumes..]',
  describe: 'Show details of volumes, as JSON',
  builder: (y) =>
    y.options({
      format: { alias: 'f', type: 'string', describe: 'json, or a template such as "{{.Mountpoint}}"' },
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Every volume' },
    }) as never,
  handler: (argv) => {
    const names = argv.volumes ?? [];
    if (argv.all === names.length > 0) throw new UsageError(argv.all ? 'when using the --all switch, you may not pass any volume names' : 'provide one or more volume names or use --all');
    // A bad template fails before any output, as podman's does.
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format, { table: false });
    const ctx = contextFrom(argv);
    const found: Record<string, unknown>[] = [];
    for (const name of argv.all ? allVolumeNames(ctx) : names) {
      try {
        found.push(inspectVolume(ctx, name));
      } catch (err) {
        // Like podman: the ones found are still shown, each missing one named.
        process.stderr.write(`Error: ${(err as Error).message}\n`);
        process.exitCode = exitCodeFor(err);
      }
    }
    if (format && format.kind !== 'json') printOut(found.map((v) => `${format.template.execute(v)}\n`).join(''));
    else printOut(`${JSON.stringify(found, null, 4)}\n`);
  },
};
