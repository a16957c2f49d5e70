// husk image <command>
import type { CommandModule } from 'yargs';
import { imageExists, pruneImages } from '../../engine/images.js';
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

const pruneCommand: CommandModule<object, GlobalArgs & { all: boolean; force: boolean }> = {
  command: 'prune',
  describe: 'Remove images without a name (-a: every image no container uses)',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove all images no container uses' },
      force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask (husk never asks)' },
    }) as never,
  handler: (argv) => {
    for (const r of pruneImages(contextFrom(argv), argv.all)) {
      if (r.error) {
        process.stderr.write(`Error: ${r.error.message}\n`);
        process.exitCode = exitCodeFor(r.error);
      } else {
        printOut(`${r.deleted}\n`);
      }
    }
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
