// husk image <command>
import type { CommandModule } from 'yargs';
import { imageExists, pruneBuildCacheMounts, pruneImages } from '../../engine/images.js';
import { ignoredFlag } from '../compat.js';
import { inspectCommandFor } from './inspect.js';
import { exitCodeFor } from '../../core/errors.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { buildCommand } from './build.js';
import { historyCommand } from './history.js';
import { imagesCommand } from './images.js';
import { importCommand } from './import.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { rmiCommand } from './rmi.js';
import { tagCommand } from './tag.js';
import { untagCommand } from './untag.js';
import { saveCommand } from './save.js';
import { loadCommand } from './load.js';
import { imageTreeCommand } from './image-tree.js';
import { printOut } from '../output.js';

const existsCommand: CommandModule<object, GlobalArgs & { image: string }> = {
  command: 'exists <image>',
  describe: 'Exit 0 if the image is in local storage, 1 if not',
  handler: (argv) => {
    process.exitCode = imageExists(contextFrom(argv), argv.image) ? 0 : 1;
  },
};

type PruneArgs = GlobalArgs & { all: boolean; force: boolean; filter: string[]; buildCache: boolean };

const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove images without a name (-a: every image no container uses)',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove all images no container uses' },
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' },
      filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'Only images that match, as images --filter takes them (until=, label=, label!=...)' },
      'build-cache': { type: 'boolean', default: false, describe: 'Also remove what RUN --mount=type=cache kept between builds' },
      external: ignoredFlag('external', 'boolean', "husk's build containers go when their step ends: no container outside `ps -a` holds an image"),
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    for (const r of pruneImages(ctx, argv.all, argv.filter)) {
      if (r.error) {
        process.stderr.write(`Error: ${r.error.message}\n`);
        process.exitCode = exitCodeFor(r.error);
      } else {
        printOut(`${r.deleted}\n`);
      }
    }
    if (argv.buildCache) pruneBuildCacheMounts(ctx);
  },
};

/** A top-level command under another name, its positionals kept ("images [image]" as "ls [image]"). */
const as = (mod: CommandModule<object, never>, name: string, aliases: string[] = []) =>
  ({ ...mod, command: String(mod.command).replace(/^\S+/, name), aliases }) as unknown as CommandModule;

export const imageCommand: CommandModule = {
  command: 'image',
  describe: 'Manage images',
  builder: (y) =>
    y
      .command(as(imagesCommand as never, 'ls', ['list']))
      .command(buildCommand as CommandModule)
      .command(importCommand as CommandModule)
      .command(pullCommand as CommandModule)
      .command(pushCommand as CommandModule)
      .command(as(rmiCommand as never, 'rm'))
      .command(tagCommand as CommandModule)
      .command(untagCommand as CommandModule)
      .command(historyCommand as CommandModule)
      .command(existsCommand as CommandModule)
      .command(saveCommand as CommandModule)
      .command(loadCommand as CommandModule)
      .command(imageTreeCommand as CommandModule)
      .command(inspectCommandFor('image') as CommandModule)
      .command(pruneCommand as CommandModule)
      .demandCommand(1, 'Specify an image command'),
  handler: () => {},
};
