// husk system reset [-f]: removes everything in this store (--root and
// --runroot), after asking unless -f.
import type { CommandModule } from 'yargs';
import { messageFor } from '../../core/errors.js';
import { resetTargets, systemReset } from '../../engine/system-reset.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { confirm } from '../confirm.js';

type ResetArgs = GlobalArgs & { force: boolean };

function warning(dirs: string[]): string {
  const what = ['all containers', 'all pods', 'all images', 'all networks', 'all build cache', 'all volumes', `the graphRoot directory: "${dirs[0]}"`, `the runRoot directory: "${dirs[1]}"`];
  return `WARNING! This will remove:\n${what.map((w) => `        - ${w}\n`).join('')}`;
}

export const systemResetCommand: CommandModule<object, ResetArgs> = {
  command: 'reset',
  describe: 'Remove every container, pod, image, network and volume, and the store itself',
  builder: (y) => y.options({ force: { alias: 'f', type: 'boolean', default: false, describe: 'Do not ask for confirmation' } }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    if (!argv.force && !confirm(warning(resetTargets(ctx)))) return;
    for (const err of await systemReset(ctx)) process.stderr.write(`Error: ${messageFor(err)}\n`);
  },
};
