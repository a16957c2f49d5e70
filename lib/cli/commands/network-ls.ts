// husk network ls [-q] [--no-trunc] [-n] [--filter K=V]... [--format F]
import type { CommandModule } from 'yargs';
import { describeNetworks, listNetworks, parseNetworkFilters } from '../../engine/networks.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { parseTemplate, renderRows } from '../format.js';
import { listJson, listRow } from '../network-view.js';
import { printOut } from '../output.js';

type LsArgs = GlobalArgs & { quiet: boolean; trunc: boolean; noheading: boolean; filter: string[]; format?: string };

export const networkLsCommand: CommandModule<object, LsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List networks',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show network names' },
      // --no-trunc negates --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate network IDs (--no-trunc: show them whole)' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the header' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Filter: name=REGEX, id=PREFIX, driver=bridge, label=K[=V], label!=K[=V], until=TIME, dangling=true|false' },
      format: { type: 'string', describe: 'json, or a template such as "{{.Name}}\\t{{.NetworkInterface}}"' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format);
    const records = listNetworks(ctx, parseNetworkFilters(argv.filter));
    if (argv.quiet) {
      printOut(records.map((r) => `${r.name}\n`).join(''));
      return;
    }
    const networks = describeNetworks(ctx, records);
    if (format?.kind === 'json') {
      printOut(`${JSON.stringify(networks.map(listJson), null, 2)}\n`);
      return;
    }
    const rows = networks.map((n) => listRow(n, argv.trunc));
    if (format) {
      const out = renderRows(format, rows, { ID: 'NETWORK ID', DNSEnabled: 'DNS ENABLED', IPv6Enabled: 'IPV6 ENABLED' });
      printOut(argv.noheading && format.kind === 'table' ? out.slice(out.indexOf('\n') + 1) : out);
      return;
    }
    const text = table(['NETWORK ID', 'NAME', 'DRIVER'], rows.map((r) => [String(r.ID), String(r.Name), String(r.Driver)]));
    printOut(argv.noheading ? text.slice(text.indexOf('\n') + 1) : text);
  },
};
