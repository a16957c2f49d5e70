// husk export [-o FILE] CONTAINER: its root file system as a tar.
import type { CommandModule } from 'yargs';
import { exportContainer } from '../../engine/export.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';

type ExportArgs = GlobalArgs & { container: string; output?: string };

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <container>',
  describe: "Export a container's file system as a tar archive, to a file or stdout",
  builder: (y) =>
    y.options({
      output: { alias: 'o', type: 'string', coerce: lastWins, describe: 'Write to this file instead of stdout' },
    }) as never,
  handler: async (argv) => {
    await exportContainer(contextFrom(argv), { container: String(argv.container), output: argv.output, stdout: process.stdout });
  },
};
