// husk volume ls [-q] [--filter K=V]... [--format F]
import type { CommandModule } from 'yargs';
import { listVolumes, parseVolumeFilters, VolumeStore, type VolumeRecord } from '../../engine/volumes.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type LsArgs = GlobalArgs & { quiet: boolean; filter: string[]; format?: string };

const pairs = (r: Record<string, string>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(',');

function row(store: VolumeStore, v: VolumeRecord): Row {
  return {
    Name: v.name,
    Driver: v.driver,
    Mountpoint: store.paths(v.name).data,
    CreatedAt: v.createdAt,
    Labels: pairs(v.labels),
    Options: pairs(v.options),
    Scope: 'local',
    Anonymous: String(v.anonymous),
  };
}

export const volumeLsCommand: CommandModule<object, LsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List volumes',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show volume names' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Filter: name=TEXT, label=K[=V], dangling=true|false, driver=local' },
      format: { type: 'string', describe: 'json, or a template such as "{{.Name}}\\t{{.Mountpoint}}"' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const volumes = listVolumes(ctx, parseVolumeFilters(argv.filter));
    if (argv.quiet) {
      printOut(volumes.map((v) => `${v.name}\n`).join(''));
      return;
    }
    const store = new VolumeStore(ctx);
    if (argv.format) {
      printOut(renderRows(argv.format, volumes.map((v) => row(store, v))));
      return;
    }
    printOut(table(['DRIVER', 'VOLUME NAME'], volumes.map((v) => [v.driver, v.name])));
  },
};
