// husk compose port [--protocol tcp|udp] [--index N] SERVICE PRIVATE_PORT: the public address of a service's port.
import type { CommandModule } from 'yargs';
import { NotFoundError } from '../../core/errors.js';
import { portCommandLines, publishedPorts } from '../../engine/container-network.js';
import { contextFrom, lastWins } from '../common.js';
import { loadComposeProject, serviceContainer, type ComposeArgs } from '../compose-options.js';
import { printOut } from '../output.js';

type PortArgs = ComposeArgs & { service: string; privatePort: string; protocol: string; index?: number };

export const composePortCommand: CommandModule<object, PortArgs> = {
  command: 'port <service> <privatePort>',
  describe: 'Print the public port for a port binding',
  builder: (y) =>
    y.options({
      protocol: { type: 'string', default: 'tcp', coerce: lastWins, describe: 'tcp or udp' },
      index: { type: 'number', coerce: lastWins, describe: 'Index of the container if the service has multiple replicas' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const c = serviceContainer(ctx, loadComposeProject(argv, { quiet: true }), argv.service, argv.index);
    const filter = `${argv.privatePort}/${argv.protocol}`;
    const lines = portCommandLines(publishedPorts(ctx, c.view), filter);
    if (lines.length === 0) throw new NotFoundError(`no port ${filter} for container ${c.view.record.name}`);
    printOut(`${lines[0]}\n`);
  },
};
