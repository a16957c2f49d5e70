// husk network connect [--alias A]... [--ip IP] [--mac-address MAC] NETWORK CONTAINER
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { connectNetwork } from '../../engine/networks.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';

type ConnectArgs = GlobalArgs & { network: string; container: string; alias: string[]; ip?: string; ip6?: string; macAddress?: string };

export const networkConnectCommand: CommandModule<object, ConnectArgs> = {
  command: 'connect <network> <container>',
  describe: 'Connect a stopped container to a network (it joins at its next start)',
  builder: (y) =>
    y.options({
      alias: { type: 'string', array: true, nargs: 1, default: [], describe: 'Another name of the container on this network (a list with commas, or repeated)' },
      ip: { type: 'string', coerce: lastWins, describe: 'The IPv4 address of the container on this network' },
      ip6: { type: 'string', coerce: lastWins, describe: 'IPv6 address (not supported yet)' },
      'mac-address': { type: 'string', coerce: lastWins, describe: 'The MAC address of the container on this network' },
    }) as never,
  handler: (argv) => {
    if (argv.ip6 !== undefined) throw new UsageError('--ip6: IPv6 networks are not supported yet');
    // podman's --alias is a string slice: "a,b" is two aliases.
    const aliases = argv.alias.flatMap((a) => a.split(','));
    connectNetwork(contextFrom(argv), String(argv.network), String(argv.container), { aliases, ip: argv.ip, mac: argv.macAddress });
  },
};
