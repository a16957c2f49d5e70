// husk image tree [--whatrequires] IMAGE: an image's layers as podman draws them.
import type { CommandModule } from 'yargs';
import { imageTree } from '../../engine/images.js';
import { contextFrom, humanSize, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type TreeArgs = GlobalArgs & { image: string; whatrequires: boolean };

export const imageTreeCommand: CommandModule<object, TreeArgs> = {
  command: 'tree <image>',
  describe: "Show an image's layers as a tree",
  builder: (y) =>
    y.options({
      whatrequires: { type: 'boolean', default: false, describe: 'Show the layers of the images built on it instead' },
    }) as never,
  handler: (argv) => {
    const { image, layers } = imageTree(contextFrom(argv), argv.image, argv.whatrequires);
    const size = (n: number) => humanSize(n, 4);
    const lines = [`Image ID: ${image.id.slice(0, 12)}`, `Tags:     [${image.names.join(' ')}]`, `Size:     ${size(image.size)}`, 'Image Layers'];
    layers.forEach((l, i) => {
      const top = l.topOf.length ? ` Top Layer of: [${l.topOf.join(' ')}]` : '';
      lines.push(`${i === layers.length - 1 ? '└──' : '├──'} ID: ${l.chainId.slice(0, 12)} Size: ${size(l.size)}${top}`);
    });
    printOut(`${lines.join('\n')}\n\n`);
  },
};
