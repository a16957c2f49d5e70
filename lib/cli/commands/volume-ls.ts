// husk volume ls [-q] [-n] [--filter K=V]... [--format F]
import type { CommandModule } from 'yargs';
import { listVolumes, parseVolumeFilters, volumeView, VolumeStore } from '../../engine/volumes.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { parseTemplate, renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type LsArgs = GlobalArgs & { quiet: boolean; noheading: boolean; filter: string[]; format?: string };

const HEADERS = { Name: 'VOLUME NAME', CreatedAt: 'CREATED AT', MountCount: 'MOUNT COUNT' };

const withoutHeader = (text: string) => text.slice(text.indexOf('\n') + 1);

export const volumeLsCommand: CommandModule<object, LsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List volumes',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show volume names' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the header' },
      filter: {
        alias: 'f',
        type: 'string',
        array: true,
        nargs: 1,
        default: [],
        describe: 'Filter: name=REGEX, label=K[=V], label!=K[=V], dangling=BOOL, anonymous=BOOL, driver=local, opt=K[=V], scope=local, until=TIME, after=VOLUME',
      },
      format: { type: 'string', describe: 'json, or a template of .Name .Driver .Mountpoint .CreatedAt .Labels .Options .Scope .Anonymous .MountCount' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    // A bad template or filter fails before any output.
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format);
    const volumes = listVolumes(ctx, parseVolumeFilters(argv.filter));
    if (argv.quiet) {
      printOut(volumes.map((v) => `${v.name}\n`).join(''));
      return;
    }
    const store = new VolumeStore(ctx);
    if (format) {
      const out = renderRows(format, volumes.map((v) => volumeView(store, v) as Row), HEADERS);
      printOut(argv.noheading && format.kind === 'table' ? withoutHeader(out) : out);
      return;
    }
    const text = table(['DRIVER', 'VOLUME NAME'], volumes.map((v) => [v.driver, v.name]));
    printOut(argv.noheading ? withoutHeader(text) : text);
  },
};
