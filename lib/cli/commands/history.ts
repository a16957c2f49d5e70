// husk history [--no-trunc] [-q] IMAGE
import type { CommandModule } from 'yargs';
import { imageHistory } from '../../engine/images.js';
import { contextFrom, humanSize, table, timeAgo, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type HistoryArgs = GlobalArgs & { image: string; trunc: boolean; quiet: boolean };

export const historyCommand: CommandModule<object, HistoryArgs> = {
  command: 'history <image>',
  describe: 'Show the history of an image',
  builder: (y) =>
    y.options({
      // --no-trunc negates --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs and commands (--no-trunc: show them whole)' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only show image IDs' },
    }) as never,
  handler: (argv) => {
    const rows = imageHistory(contextFrom(argv), argv.image);
    const id = (s: string) => (s === '<missing>' || !argv.trunc ? s : s.slice(0, 12));
    if (argv.quiet) {
      printOut(rows.map((r) => `${id(r.id)}\n`).join(''));
      return;
    }
    const by = (s: string) => (!argv.trunc || s.length <= 45 ? s : `${s.slice(0, 42)}...`);
    printOut(
      table(
        ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
        rows.map((r) => [id(r.id), r.created ? timeAgo(r.created) : '', by(r.createdBy), humanSize(r.size), r.comment]),
      ),
    );
  },
};
