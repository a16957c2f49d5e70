// husk images [-a] [-q] [--digests] [--no-trunc] [--filter K=V]... [--format F] [IMAGE]
import type { CommandModule } from 'yargs';
import { filterImages, listImages, parseImageFilters, repoAndTag, type ImageRecord } from '../../engine/images.js';
import { contextFrom, humanSize, table, timeAgo, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type ImagesArgs = GlobalArgs & { image?: string; all: boolean; quiet: boolean; trunc: boolean; digests: boolean; filter: string[]; format?: string };

export const imagesCommand: CommandModule<object, ImagesArgs> = {
  command: 'images [image]',
  describe: 'List images in local storage',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Show all images, also the intermediate ones builds keep as their cache' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show image IDs' },
      // --no-trunc negates --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs and commands (--no-trunc: show them whole)' },
      digests: { type: 'boolean', default: false, describe: 'Show digests' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Filter: dangling=true|false, reference=PATTERN, label=K[=V], before=IMAGE, since=IMAGE' },
      format: { type: 'string', describe: 'json, or a template such as "table {{.Repository}}\\t{{.Tag}}"' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    // `husk images NAME` is docker's and podman's shorthand for --filter reference=NAME.
    const filters = [...argv.filter, ...(argv.image !== undefined ? [`reference=${argv.image}`] : [])];
    const images = filterImages(ctx, listImages(ctx).filter((i) => argv.all || !i.intermediate), parseImageFilters(filters));
    const id = (hex: string) => (!argv.trunc ? `sha256:${hex}` : hex.slice(0, 12));
    if (argv.quiet) {
      printOut([...new Set(images.map((i) => id(i.id)))].map((s) => `${s}\n`).join(''));
      return;
    }
    const rows = images.flatMap((i) => rowsOf(i, id));
    if (argv.format) {
      printOut(renderRows(argv.format, rows, { ID: 'IMAGE ID', CreatedSince: 'CREATED' }));
      return;
    }
    const headers = ['REPOSITORY', 'TAG', ...(argv.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
    const cells = rows.map((r) => [String(r.Repository), String(r.Tag), ...(argv.digests ? [String(r.Digest)] : []), String(r.ID), String(r.CreatedSince), String(r.Size)]);
    printOut(table(headers, cells));
  },
};

/** One row per name (docker shows an image under each of its names). */
function rowsOf(i: ImageRecord, id: (hex: string) => string): Row[] {
  const names = i.names.length ? i.names.map(repoAndTag) : [['<none>', '<none>'] as [string, string]];
  return names.map(([repo, tag]) => ({
    Repository: repo,
    Tag: tag,
    ID: id(i.id),
    Digest: i.digest,
    CreatedAt: i.created,
    CreatedSince: timeAgo(i.created),
    Size: humanSize(i.size),
    Names: i.names,
  }));
}
