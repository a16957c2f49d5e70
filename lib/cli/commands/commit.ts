// husk commit [-c CHANGE]... [-m MSG] [-a AUTHOR] [-p] [-q] [-f oci|docker] [--iidfile F] [--config F] [--include-volumes] CONTAINER [IMAGE[:TAG]]
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { HuskError, UsageError } from '../../core/errors.js';
import { commitContainer } from '../../engine/commit.js';
import { refusedFlag } from '../compat.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type CommitArgs = GlobalArgs & {
  container: string;
  image?: string;
  change: string[];
  message?: string;
  author?: string;
  pause: boolean;
  quiet: boolean;
  format: string;
  iidfile?: string;
  config?: string;
  includeVolumes: boolean;
};

export const commitCommand: CommandModule<object, CommitArgs> = {
  command: 'commit <container> [image]',
  describe: "Create a new image from a container's changes",
  builder: (y) =>
    y.options({
      change: { alias: 'c', type: 'string', array: true, nargs: 1, default: [], describe: 'Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL)' },
      message: { alias: 'm', type: 'string', coerce: lastWins, describe: 'Commit message (the history entry\'s comment)' },
      author: { alias: 'a', type: 'string', coerce: lastWins, describe: 'Author of the image' },
      pause: { alias: 'p', type: 'boolean', default: false, describe: 'Stop the container\'s processes while its changes are read' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID (husk prints nothing else)' },
      format: { alias: 'f', type: 'string', coerce: lastWins, default: 'oci', describe: 'Manifest type of the image: oci or docker' },
      iidfile: { type: 'string', coerce: lastWins, describe: 'Also write the image ID to this file' },
      config: { type: 'string', coerce: lastWins, describe: 'A JSON file of image config fields (Env, Cmd, Labels...) merged in before the --change instructions' },
      'include-volumes': { type: 'boolean', default: false, describe: 'The volumes and binds given with -v or --mount become the image\'s VOLUMEs' },
      squash: refusedFlag('squash', 'boolean', "husk commits the container's changes as one layer over its image's layers; squashing them into one is not done", { alias: 's' }),
    }) as never,
  handler: async (argv) => {
    if (argv.format !== 'oci' && argv.format !== 'docker') throw new UsageError(`unrecognized image type "${argv.format}": use oci or docker`);
    const config = argv.config === undefined ? undefined : readConfigFile(argv.config);
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const image = await commitContainer(ctx, {
      container: String(argv.container),
      name: argv.image === undefined ? undefined : String(argv.image),
      changes: argv.change,
      message: argv.message,
      author: argv.author,
      pause: argv.pause,
      includeVolumes: argv.includeVolumes,
      format: argv.format,
      config,
    });
    if (argv.iidfile) writeIidFile(argv.iidfile, image.id); // the bare ID, as podman writes it
    printOut(`sha256:${image.id}\n`);
  },
};

/** --config: a JSON object of image config fields, checked before any work. */
function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--config ${file}: a JSON object of image config fields is expected`);
  return parsed as Record<string, unknown>;
}

function writeIidFile(file: string, id: string): void {
  try {
    fs.writeFileSync(file, id);
  } catch (err) {
    throw new HuskError(`writing the image ID file: ${(err as Error).message}`);
  }
}
