// husk commit [-c CHANGE]... [-m MSG] [-a AUTHOR] [-p] CONTAINER [IMAGE[:TAG]]
import type { CommandModule } from 'yargs';
import { commitContainer } from '../../engine/commit.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type CommitArgs = GlobalArgs & { container: string; image?: string; change: string[]; message?: string; author?: string; pause: boolean; quiet: boolean };

export const commitCommand: CommandModule<object, CommitArgs> = {
  command: 'commit <container> [image]',
  describe: "Create a new image from a container's changes",
  builder: (y) =>
    y.options({
      change: { alias: 'c', type: 'string', array: true, nargs: 1, default: [], describe: 'Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL)' },
      message: { alias: 'm', type: 'string', coerce: lastWins, describe: 'Commit message (the history entry\'s comment)' },
      author: { alias: 'a', type: 'string', coerce: lastWins, describe: 'Author of the image' },
      pause: { alias: 'p', type: 'boolean', default: false, describe: 'Stop the container\'s processes (SIGSTOP) while its changes are read' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID (husk prints nothing else)' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const image = await commitContainer(ctx, {
      container: String(argv.container),
      name: argv.image === undefined ? undefined : String(argv.image),
      changes: argv.change,
      message: argv.message,
      author: argv.author,
      pause: argv.pause,
    });
    printOut(`sha256:${image.id}\n`);
  },
};
