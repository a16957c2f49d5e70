// husk network create [-d bridge] [--subnet CIDR [--gateway IP] [--ip-range CIDR]]
//   [--internal] [--label K=V]... [--disable-dns] [-o mtu=N] [--interface-name DEV] [--ignore] NAME
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { createNetwork } from '../../engine/networks.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { refusedFlag } from '../compat.js';
import { printOut } from '../output.js';
import { keyValues } from './volume-create.js';

type CreateArgs = GlobalArgs & {
  name: string;
  driver: string;
  subnet: string[];
  gateway: string[];
  ipRange: string[];
  internal: boolean;
  label: string[];
  disableDns: boolean;
  opt: string[];
  ignore: boolean;
  interfaceName?: string;
  ipamDriver?: string;
};

/** One value of a flag podman takes several times (one per subnet): husk networks have one subnet. */
function single(values: string[], flag: string): string | undefined {
  if (values.length > 1) throw new UsageError(`${flag} given ${values.length} times: a husk network has one IPv4 subnet`);
  return values[0];
}

export const networkCreateCommand: CommandModule<object, CreateArgs> = {
  command: 'create <name>',
  describe: 'Create a bridge network; prints its name',
  builder: (y) =>
    y.options({
      driver: { alias: 'd', type: 'string', coerce: lastWins, default: 'bridge', describe: 'Network driver (only bridge)' },
      subnet: { type: 'string', array: true, nargs: 1, default: [], describe: 'IPv4 subnet in CIDR form (default: the first free /24 of 10.89.0.0/16)' },
      gateway: { type: 'string', array: true, nargs: 1, default: [], describe: 'Gateway of the subnet (default: its first address)' },
      'ip-range': { type: 'string', array: true, nargs: 1, default: [], describe: 'Give containers addresses from this CIDR inside the subnet' },
      internal: { type: 'boolean', default: false, describe: 'No access to the outside from this network' },
      label: { type: 'string', array: true, nargs: 1, default: [], describe: 'Set a label: KEY=VALUE' },
      'disable-dns': { type: 'boolean', default: false, describe: 'No name resolution of containers on this network' },
      opt: { alias: 'o', type: 'string', array: true, nargs: 1, default: [], describe: 'Driver option: mtu=N' },
      ignore: { type: 'boolean', default: false, describe: 'Do nothing, successfully, when the network exists' },
      'interface-name': { type: 'string', coerce: lastWins, describe: "The bridge device's name (default: the first free huskN)" },
      'ipam-driver': { type: 'string', coerce: lastWins, describe: 'How addresses are given: host-local (husk keeps the leases itself); dhcp and none are not supported' },
      ipv6: refusedFlag('ipv6', 'boolean', 'husk networks are IPv4 only'),
      dns: refusedFlag('dns', 'string', "husk's containers ask the network's own name server (or the host's servers): per-network DNS servers are not supported; give --dns to run or create"),
      route: refusedFlag('route', 'string', 'husk networks have no static routes besides the default one through the gateway'),
    }) as never,
  handler: (argv) => {
    if (argv.ipamDriver !== undefined && !['host-local', ''].includes(argv.ipamDriver)) {
      throw new UsageError(`--ipam-driver ${argv.ipamDriver} is not supported: husk gives addresses itself (host-local)`);
    }
    const r = createNetwork(
      contextFrom(argv),
      String(argv.name),
      {
        driver: argv.driver,
        subnet: single(argv.subnet, '--subnet'),
        gateway: single(argv.gateway, '--gateway'),
        ipRange: single(argv.ipRange, '--ip-range'),
        internal: argv.internal,
        labels: keyValues(argv.label, '--label', true),
        disableDns: argv.disableDns,
        options: keyValues(argv.opt, '--opt', false),
        ...(argv.interfaceName !== undefined ? { interfaceName: argv.interfaceName } : {}),
      },
      argv.ignore,
    );
    printOut(`${r.name}\n`);
  },
};
