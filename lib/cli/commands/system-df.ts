// husk system df [-v | --format F]: what images, containers and volumes take on disk.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { diskUsage, diskUsageVerbose, type DiskUsageRow } from '../../engine/system.js';
import { contextFrom, humanSize, table, timeAgo, type GlobalArgs } from '../common.js';
import { parseTemplate, renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type DfArgs = GlobalArgs & { format?: string; verbose: boolean };

const pct = (r: DiskUsageRow) => (r.size ? Math.round((r.reclaimable / r.size) * 100) : 0);

/** A summary row under podman's template fields (.Type .Total .Active .Size .Reclaimable, and the raw numbers). */
function summaryRow(r: DiskUsageRow): Row {
  return { Type: r.type, Total: r.total, Active: r.active, Size: humanSize(r.size), Reclaimable: `${humanSize(r.reclaimable)} (${pct(r)}%)`, RawSize: r.size, RawReclaimable: r.reclaimable };
}

function splitName(name: string | undefined): [string, string] {
  if (!name) return ['<none>', '<none>'];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest'];
}

function printVerbose(argv: DfArgs): void {
  const u = diskUsageVerbose(contextFrom(argv));
  const images = u.images.flatMap((i) =>
    (i.names.length ? i.names : [undefined]).map((n) => {
      const [repo, tag] = splitName(n);
      return [repo, tag, i.id.slice(0, 12), timeAgo(i.created), humanSize(i.size), humanSize(i.shared), humanSize(i.size - i.shared), String(i.containers)];
    }),
  );
  const containers = u.containers.map((c) => [c.id.slice(0, 12), c.image, c.command.join(' ').slice(0, 20), String(c.localVolumes), humanSize(c.size), timeAgo(c.created), c.status, c.name]);
  const volumes = u.volumes.map((v) => [v.name, String(v.links), humanSize(v.size)]);
  printOut(
    [
      'Images space usage:\n\n',
      table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], images),
      '\nContainers space usage:\n\n',
      table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], containers),
      '\nLocal Volumes space usage:\n\n',
      table(['VOLUME NAME', 'LINKS', 'SIZE'], volumes),
    ].join(''),
  );
}

export const systemDfCommand: CommandModule<object, DfArgs> = {
  command: 'df',
  describe: 'Show how much disk images, containers and volumes use',
  builder: (y) =>
    y.options({
      format: { type: 'string', describe: 'json, or a template of .Type .Total .Active .Size .Reclaimable' },
      verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Each image, container and volume' },
    }) as never,
  handler: (argv) => {
    if (argv.format !== undefined && argv.verbose) throw new UsageError('cannot combine --format and --verbose flags');
    if (argv.verbose) return printVerbose(argv);
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format);
    const rows = diskUsage(contextFrom(argv));
    if (format?.kind === 'json') {
      printOut(`${JSON.stringify(rows.map(summaryRow), null, 2)}\n`);
      return;
    }
    if (format) {
      printOut(renderRows(format, rows.map(summaryRow)));
      return;
    }
    const summary = rows.map(summaryRow);
    printOut(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], summary.map((r) => [r.Type, r.Total, r.Active, r.Size, r.Reclaimable].map(String))));
  },
};
