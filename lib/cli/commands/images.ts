// husk images [-a] [-q] [-n] [--digests] [--no-trunc] [--sort KEY] [--filter K=V]... [--format F] [IMAGE]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { containersPerImage, filterImages, imageConfigOf, listImages, parseImageFilters, referenceMatcher, repoAndTag, repoDigests, taggedNames, type ImageRecord } from '../../engine/images.js';
import { contextFrom, goTime, humanSize, table, timeAgo, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type ImagesArgs = GlobalArgs & {
  image?: string;
  all: boolean;
  quiet: boolean;
  trunc: boolean;
  digests: boolean;
  filter: string[];
  format?: string;
  noheading: boolean;
  sort: string;
  history: boolean;
};

const SORT_KEYS = ['created', 'id', 'repository', 'size', 'tag'];

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
      filter: {
        alias: 'f',
        type: 'string',
        array: true,
        nargs: 1,
        default: [],
        describe: 'Filter: dangling=, intermediate=, readonly=, manifest= (true|false), reference=PATTERN, label[!]=K[=V], before=, since=, after=IMAGE, until=TIME, id=, digest=, containers=',
      },
      format: { type: 'string', describe: 'json, or a template such as "table {{.Repository}}\\t{{.Tag}}" (docker\'s and podman\'s fields)' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the column headings' },
      sort: { type: 'string', default: 'created', describe: 'Sort by created (newest first), id, repository (then tag), size or tag' },
      history: { type: 'boolean', default: false, describe: 'Show a HISTORY column with the image\'s names (husk keeps no former names: its current ones, latest first)' },
    }) as never,
  handler: (argv) => {
    if (!SORT_KEYS.includes(argv.sort)) throw new UsageError(`"${argv.sort}" is not a valid field for sorting. Choose from: ${SORT_KEYS.join(', ')}`);
    const ctx = contextFrom(argv);
    // `husk images NAME` is docker's and podman's shorthand for --filter reference=NAME.
    const filters = [...argv.filter, ...(argv.image !== undefined ? [`reference=${argv.image}`] : [])];
    const parsed = parseImageFilters(filters);
    const images = filterImages(ctx, listImages(ctx).filter((i) => argv.all || !i.intermediate), parsed);
    const id = (hex: string) => (!argv.trunc ? `sha256:${hex}` : hex.slice(0, 12));
    const matchers = parsed.reference?.map(referenceMatcher);
    const counts = containersPerImage(ctx);
    const rows = sortRows(
      images.flatMap((i) => rowsOf(i, namesShown(i, matchers), { id, containers: counts.get(i.id) ?? 0, config: () => imageConfigOf(ctx, i) })),
      argv.sort,
    );
    if (argv.quiet) {
      printOut([...new Set(rows.map((r) => String(r.ID)))].map((s) => `${s}\n`).join(''));
      return;
    }
    if (argv.format === 'json') {
      printOut(`${JSON.stringify(rows.map(jsonOf), null, 4)}\n`);
      return;
    }
    let out: string;
    if (argv.format) {
      out = renderRows(argv.format, rows, { ID: 'IMAGE ID', Id: 'IMAGE ID', CreatedSince: 'CREATED', Created: 'CREATED', ReadOnly: 'R/O' });
      if (!argv.format.startsWith('table')) return printOut(out);
    } else {
      const headers = ['REPOSITORY', 'TAG', ...(argv.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE', ...(argv.history ? ['HISTORY'] : [])];
      const cells = rows.map((r) => [
        String(r.Repository),
        String(r.Tag),
        ...(argv.digests ? [String(r.Digest)] : []),
        String(r.ID),
        String(r.CreatedSince),
        String(r.Size),
        ...(argv.history ? [String(r.History)] : []),
      ]);
      out = table(headers, cells);
    }
    printOut(argv.noheading ? out.slice(out.indexOf('\n') + 1) : out);
  },
};

/**
 * The names a row is shown for, as podman lists them: those the reference
 * filter matched (all without one); tagged names, or else one name with only
 * a digest, or else none (<none> <none>).
 */
function namesShown(i: ImageRecord, matchers?: Array<(name: string) => boolean>): string[] {
  const names = matchers ? i.names.filter((n) => matchers.some((m) => m(n))) : i.names;
  const tagged = names.filter((n) => taggedNames(i).includes(n));
  return tagged.length ? tagged : names.slice(0, 1);
}

interface RowContext {
  id: (hex: string) => string;
  containers: number;
  config: () => { Labels: Record<string, string> | null; architecture: string; os: string };
}

/** One row per name shown, with docker's and podman's template fields. */
function rowsOf(i: ImageRecord, names: string[], c: RowContext): Row[] {
  const config = c.config();
  const pairs = names.length ? names.map(repoAndTag) : [['<none>', '<none>'] as [string, string]];
  return pairs.map(([repo, tag]) => ({
    Repository: repo,
    Tag: tag,
    ID: c.id(i.id),
    Id: i.id,
    Digest: i.digest,
    CreatedAt: goTime(i.created),
    CreatedTime: goTime(i.created),
    CreatedSince: timeAgo(i.created),
    Created: timeAgo(i.created),
    Size: humanSize(i.size),
    VirtualSize: i.size,
    SharedSize: 0,
    UniqueSize: humanSize(i.size),
    Containers: c.containers,
    Labels: config.Labels ?? {},
    Names: i.names,
    RepoTags: i.names.filter((n) => !n.includes('@')),
    RepoDigests: repoDigests(i),
    // husk keeps no former names: the history is the current names, latest first.
    History: [...i.names].reverse().join(', '),
    ParentId: '',
    Dangling: i.names.length === 0,
    IsDangling: i.names.length === 0,
    ReadOnly: false,
    IsReadOnly: false,
    Arch: config.architecture,
    Os: config.os,
    // For JSON only.
    bytes: i.size,
    created: i.created,
  }));
}

function sortRows(rows: Row[], key: string): Row[] {
  const s = (r: Row, k: string) => String(r[k]);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const by: Record<string, (a: Row, b: Row) => number> = {
    id: (a, b) => cmp(s(a, 'Id'), s(b, 'Id')),
    repository: (a, b) => cmp(s(a, 'Repository'), s(b, 'Repository')) || cmp(s(a, 'Tag'), s(b, 'Tag')),
    size: (a, b) => Number(a.bytes) - Number(b.bytes),
    tag: (a, b) => cmp(s(a, 'Tag'), s(b, 'Tag')),
    created: (a, b) => cmp(s(b, 'created'), s(a, 'created')),
  };
  return [...rows].sort(by[key]);
}

/** A row as podman's `images --format json` writes it. */
function jsonOf(r: Row): Record<string, unknown> {
  const labels = r.Labels as Record<string, string>;
  return {
    Id: r.Id,
    ParentId: '',
    RepoDigests: r.RepoDigests,
    Size: r.bytes,
    SharedSize: 0,
    VirtualSize: r.bytes,
    Labels: Object.keys(labels).length ? labels : null,
    Containers: r.Containers,
    ...(r.Dangling ? { Dangling: true } : {}),
    Arch: r.Arch,
    Digest: r.Digest,
    History: (r.Names as string[]).length ? [...(r.Names as string[])].reverse() : undefined,
    Names: (r.Names as string[]).length ? r.Names : undefined,
    Os: r.Os,
    Created: Math.floor(Date.parse(String(r.created)) / 1000),
    CreatedAt: r.created,
    Repository: r.Repository,
    Tag: r.Tag,
  };
}
