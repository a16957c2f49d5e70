// husk system <command>: df, info under its podman name, install-generator
// (and generator, which is husk-generator).
import type { CommandModule } from 'yargs';
import { diskUsage } from '../../engine/system.js';
import { contextFrom, humanSize, table, type GlobalArgs } from '../common.js';
import { infoCommand } from './info.js';
import { printOut } from '../output.js';
import { systemGeneratorCommand } from './system-generator.js';
import { systemInstallGeneratorCommand } from './system-install-generator.js';

const dfCommand: CommandModule<object, GlobalArgs & { format?: string }> = {
  command: 'df',
  describe: 'Show how much disk images and containers use',
  builder: (y) => y.options({ format: { type: 'string', describe: 'json' } }) as never,
  handler: (argv) => {
    const rows = diskUsage(contextFrom(argv));
    if (argv.format === 'json') {
      printOut(`${JSON.stringify(rows.map((r) => ({ Type: r.type, Total: r.total, Active: r.active, Size: r.size, Reclaimable: r.reclaimable })), null, 2)}\n`);
      return;
    }
    const pct = (r: (typeof rows)[number]) => (r.size ? Math.round((r.reclaimable / r.size) * 100) : 0);
    printOut(
      table(
        ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
        rows.map((r) => [r.type, String(r.total), String(r.active), humanSize(r.size), `${humanSize(r.reclaimable)} (${pct(r)}%)`]),
      ),
    );
  },
};

export const systemCommand: CommandModule = {
  command: 'system',
  describe: 'Manage husk itself',
  builder: (y) =>
    y
      .command(dfCommand as CommandModule)
      .command(infoCommand as CommandModule)
      .command(systemInstallGeneratorCommand as CommandModule)
      .command(systemGeneratorCommand as CommandModule)
      .demandCommand(1, 'Specify a system command'),
  handler: () => {},
};
