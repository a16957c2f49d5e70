// husk cp [-a] [-L] SRC DEST: CONTAINER:PATH on one side; "-" for a tar stream on stdin/stdout.
import { isatty } from 'node:tty';
import type { CommandModule } from 'yargs';
import { copy } from '../../engine/cp.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { refusedFlag } from '../compat.js';

type CpArgs = GlobalArgs & { source: string; destination: string; archive?: boolean; followLink: boolean };

export const cpCommand: CommandModule<object, CpArgs> = {
  command: 'cp <source> <destination>',
  describe: 'Copy files between a container and the host: CONTAINER:PATH on one side, "-" for a tar stream',
  builder: (y) =>
    y.options({
      // docker's -a keeps the owners, podman's -a=false keeps them too (its -a, the default, gives them to
      // the container's user): given either way, they are kept; left out, they go to root (docker's default).
      archive: { alias: 'a', type: 'boolean', describe: 'Keep uid/gid, as docker\'s -a and podman\'s -a=false (else the files belong to the container\'s root, or to you on the host)' },
      'follow-link': { alias: 'L', type: 'boolean', default: false, describe: 'Follow a symlink that is SRC (one to a directory is always followed, as podman does)' },
      overwrite: refusedFlag('overwrite', 'boolean', 'husk\'s cp does not replace a directory with a file or a file with a directory: remove the destination first'),
    }) as never,
  handler: async (argv) => {
    const report = await copy(contextFrom(argv), { source: argv.source, destination: argv.destination, archive: argv.archive !== undefined, followLink: argv.followLink, terminal: { stdin: isatty(0), stdout: isatty(1) } });
    for (const w of report.warnings) process.stderr.write(`WARN: ${w}\n`);
  },
};
