// husk compose images [-q] [--format F] [SERVICE...]: the images the services' containers run.
import type { CommandModule } from 'yargs';
import { listImages, repoAndTag } from '../../engine/images.js';
import { contextFrom, humanSize, lastWins, table } from '../common.js';
import { loadComposeProject, serviceContainers, type ComposeArgs } from '../compose-options.js';
import { renderRows } from '../format.js';
import { printOut } from '../output.js';

type ImagesArgs = ComposeArgs & { services?: string[]; quiet: boolean; format?: string };

export const composeImagesCommand: CommandModule<object, ImagesArgs> = {
  command: 'images [services..]',
  describe: 'List images used by the created containers',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only display IDs' },
      format: { type: 'string', coerce: lastWins, describe: 'table (default), json, or a Go template' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const containers = serviceContainers(ctx, loadComposeProject(argv, { quiet: true }), argv.services ?? []);
    const images = new Map(listImages(ctx).map((i) => [i.id, i]));
    const rows = containers.map((c) => {
      const img = images.get(c.view.record.imageId);
      const [repo, tag] = img?.names[0] ? repoAndTag(img.names[0]) : ['<none>', '<none>'];
      return { ContainerName: c.view.record.name, Repository: repo, Tag: tag, ID: c.view.record.imageId.slice(0, 12), Size: img ? humanSize(img.size) : '' };
    });
    if (argv.quiet) return printOut([...new Set(rows.map((r) => `${r.ID}\n`))].join(''));
    if (argv.format && argv.format !== 'table') return printOut(renderRows(argv.format, rows));
    printOut(table(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], rows.map((r) => [r.ContainerName, r.Repository, r.Tag, r.ID, r.Size])));
  },
};
