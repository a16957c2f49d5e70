// husk port CONTAINER [PORT[/PROTO]]: the host addresses of a running
// container's published ports, as its start bound them (none while it does
// not run). With PORT, just that port's addresses, or an error as docker's
// when it is not published.
import type { CommandModule } from 'yargs';
import type { Context } from '../../core/context.js';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { getContainer, listContainers } from '../../engine/containers.js';
import { parsePortFilter, portCommandLines, publishedPorts } from '../../engine/container-network.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, nameOrLatest } from '../targets.js';

type PortArgs = GlobalArgs & { container?: string; port?: string; latest: boolean; all: boolean };

export const portCommand: CommandModule<object, PortArgs> = {
  command: 'port [container] [port]',
  describe: 'List the port mappings of a container',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'The published ports of every running container, each line after its ID' },
      ...LATEST_OPTION,
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    // -a and -l name no container: the first word is the port.
    const [name, port] = argv.all || argv.latest ? [undefined, argv.container] : [argv.container, argv.port];
    if ((argv.all || argv.latest) && argv.port !== undefined) throw new UsageError(`unexpected argument "${argv.port}" (see 'husk port --help')`);
    if (argv.all) {
      if (argv.latest) throw new UsageError('--all and --latest cannot be used together');
      printOut(allPortLines(ctx, port));
      return;
    }
    const view = getContainer(ctx, nameOrLatest(ctx, name, argv.latest, 'port'));
    const filter = port === undefined ? undefined : String(port);
    const wanted = filter === undefined ? undefined : parsePortFilter(filter); // checked before the container's state
    const lines = portCommandLines(publishedPorts(ctx, view), filter);
    if (wanted && lines.length === 0) throw new NotFoundError(`no public port '${wanted.port}/${wanted.protocol}' published for ${view.record.name}`);
    printOut(lines.map((l) => `${l}\n`).join(''));
  },
};

/** port -a: every running container's lines, each after its short ID, as podman prints them. */
function allPortLines(ctx: Context, port: string | undefined): string {
  if (port !== undefined) parsePortFilter(port);
  return listContainers(ctx)
    .filter((v) => v.status === 'running')
    .flatMap((v) => portCommandLines(publishedPorts(ctx, v), port).map((l) => `${v.record.id.slice(0, 12)}\t${l}\n`))
    .join('');
}
