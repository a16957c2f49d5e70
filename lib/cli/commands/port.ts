// husk port CONTAINER [PORT[/PROTO]]: the host addresses of a running
// container's published ports, as its start bound them (none while it does
// not run). With PORT, just that port's addresses, or an error as docker's
// when it is not published.
import type { CommandModule } from 'yargs';
import { NotFoundError } from '../../core/errors.js';
import { getContainer } from '../../engine/containers.js';
import { parsePortFilter, portCommandLines, publishedPorts } from '../../engine/container-network.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type PortArgs = GlobalArgs & { container: string; port?: string };

export const portCommand: CommandModule<object, PortArgs> = {
  command: 'port <container> [port]',
  describe: 'List the port mappings of a container',
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const view = getContainer(ctx, String(argv.container));
    const filter = argv.port === undefined ? undefined : String(argv.port);
    const wanted = filter === undefined ? undefined : parsePortFilter(filter); // checked before the container's state
    const lines = portCommandLines(publishedPorts(ctx, view), filter);
    if (wanted && lines.length === 0) throw new NotFoundError(`no public port '${wanted.port}/${wanted.protocol}' published for ${view.record.name}`);
    printOut(lines.map((l) => `${l}\n`).join(''));
  },
};
