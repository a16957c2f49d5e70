// husk compose config [--services] [--volumes] [-q]: the resolved model,
// after interpolation, merging, extends, include and profiles.
import type { CommandModule } from 'yargs';
import { composeConfig } from '../../engine/compose.js';
import { loadComposeProject, type ComposeArgs } from '../compose-options.js';
import { printOut } from '../output.js';

type ConfigArgs = ComposeArgs & { services: boolean; volumes: boolean; quiet: boolean };

export const composeConfigCommand: CommandModule<object, ConfigArgs> = {
  command: 'config',
  aliases: ['convert'],
  describe: 'Check the compose files and print the resolved model',
  builder: (y) =>
    y.options({
      services: { type: 'boolean', default: false, describe: 'Print the service names, one per line' },
      volumes: { type: 'boolean', default: false, describe: 'Print the volume names, one per line' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only check: print nothing' },
    }) as never,
  handler: (argv) => {
    const p = loadComposeProject(argv);
    if (argv.quiet) return;
    if (argv.services) return printOut(Object.keys(p.services).map((s) => `${s}\n`).join(''));
    if (argv.volumes) return printOut(Object.keys(p.volumes).map((v) => `${v}\n`).join(''));
    printOut(composeConfig(p));
  },
};
