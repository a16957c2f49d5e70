// husk volume exists NAME: exit 0 when it exists, 1 when not (no output).
import type { CommandModule } from 'yargs';
import { volumeExists } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const volumeExistsCommand: CommandModule<object, GlobalArgs & { volume: string }> = {
  command: 'exists <volume>',
  describe: 'Tell by the exit code whether a volume exists',
  handler: (argv) => {
    process.exitCode = volumeExists(contextFrom(argv), String(argv.volume)) ? 0 : 1;
  },
};
