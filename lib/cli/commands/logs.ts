// husk logs [-t] CONTAINER
import type { CommandModule } from 'yargs';
import { getContainer, readLogs } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';

type LogsArgs = GlobalArgs & { container: string; timestamps: boolean };

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs <container>',
  describe: 'Fetch the logs of a container',
  builder: (y) => y.options({ timestamps: { alias: 't', type: 'boolean', default: false, describe: 'Show timestamps' } }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    let atLineStart = true;
    for (const rec of readLogs(ctx, getContainer(ctx, argv.container))) {
      const prefix = argv.timestamps && atLineStart ? `${rec.time} ` : '';
      (rec.stream === 'stderr' ? process.stderr : process.stdout).write(prefix + rec.text);
      atLineStart = rec.text.endsWith('\n');
    }
  },
};
