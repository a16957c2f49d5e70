// husk system install-generator [--prefix DIR]: links bin/husk-generator into
// systemd's generator directories, so that Quadlet files become services at
// boot and at `systemctl daemon-reload`.
import type { CommandModule } from 'yargs';
import { installGenerator } from '../../engine/quadlet.js';
import { lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const systemInstallGeneratorCommand: CommandModule<object, GlobalArgs & { prefix?: string }> = {
  command: 'install-generator',
  describe: 'Install husk-generator as systemd\'s generator of services from Quadlet files (.container, .volume, .network, .pod, .kube, .image)',
  builder: (y) => y.options({ prefix: { type: 'string', coerce: lastWins, describe: 'systemd\'s library directory (default /usr/lib/systemd)' } }) as never,
  handler: (argv) => {
    const lines = installGenerator(process.getuid?.() !== 0, argv.prefix);
    printOut(`${lines.join('\n')}\nRun systemctl daemon-reload (and systemctl --user daemon-reload) to generate the services.\n`);
  },
};
