// husk image <command>
import type { CommandModule } from 'yargs';
import { imagesCommand } from './images.js';
import { importCommand } from './import.js';

export const imageCommand: CommandModule = {
  command: 'image',
  describe: 'Manage images',
  builder: (y) =>
    y
      .command({ ...imagesCommand, command: 'ls', aliases: ['list'] } as unknown as CommandModule)
      .command(importCommand as CommandModule)
      .demandCommand(1, 'Specify an image command'),
  handler: () => {},
};
