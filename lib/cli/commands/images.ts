// husk images [-q] [--no-trunc]
import type { CommandModule } from 'yargs';
import { listImages } from '../../engine/images.js';
import { repoAndTag } from '../../image/reference.js';
import { contextFrom, humanSize, table, timeAgo, type GlobalArgs } from '../common.js';

type ImagesArgs = GlobalArgs & { quiet: boolean; noTrunc: boolean };

export const imagesCommand: CommandModule<object, ImagesArgs> = {
  command: 'images',
  describe: 'List images in local storage',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show image IDs' },
      'no-trunc': { type: 'boolean', default: false, describe: 'Do not truncate output' },
    }) as never,
  handler: (argv) => {
    const images = listImages(contextFrom(argv));
    const id = (hex: string) => (argv.noTrunc ? `sha256:${hex}` : hex.slice(0, 12));
    if (argv.quiet) {
      process.stdout.write(images.map((i) => `${id(i.id)}\n`).join(''));
      return;
    }
    const rows = images.flatMap((i) => {
      const names = i.names.length ? i.names : ['<none>:<none>'];
      return names.map((n) => {
        const [repo, tag] = n === '<none>:<none>' ? ['<none>', '<none>'] : repoAndTag(n);
        return [repo, tag, id(i.id), timeAgo(i.created), humanSize(i.size)];
      });
    });
    process.stdout.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows));
  },
};
