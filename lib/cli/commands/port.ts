// husk port CONTAINER [PORT[/PROTO]]: the container's published ports. husk
// publishes none yet (no port forwarding until user networks), so the list
// is empty and a named port is reported as not published, as docker does.
import type { CommandModule } from 'yargs';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, type GlobalArgs } from '../common.js';

type PortArgs = GlobalArgs & { container: string; port?: string };

export const portCommand: CommandModule<object, PortArgs> = {
  command: 'port <container> [port]',
  describe: 'List the port mappings of a container',
  handler: (argv) => {
    const view = getContainer(contextFrom(argv), String(argv.container));
    if (argv.port === undefined) return;
    const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(String(argv.port));
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UsageError(`invalid port "${argv.port}": use PORT or PORT/PROTO (tcp, udp, sctp)`);
    throw new NotFoundError(`no public port '${m[1]}/${m[2] ?? 'tcp'}' published for ${view.record.name}`);
  },
};
