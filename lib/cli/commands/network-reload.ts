// husk network reload [--all | CONTAINER...]: makes the bridges and firewall
// rules of running containers' networks again, after something (a firewall
// restart, `nft flush ruleset`) took them away, as podman's does.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { reloadNetworks } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type ReloadArgs = GlobalArgs & { containers?: string[]; all: boolean };

export const networkReloadCommand: CommandModule<object, ReloadArgs> = {
  command: 'reload [containers..]',
  describe: 'Make the network rules of running containers again',
  builder: (y) => y.options({ all: { alias: 'a', type: 'boolean', default: false, describe: 'Every running container' } }) as never,
  handler: (argv) => {
    const names = argv.containers ?? [];
    if (argv.all === (names.length > 0)) throw new UsageError(argv.all ? '--all and container names cannot be used together' : 'give at least one container name or ID, or --all');
    printReports(reloadNetworks(contextFrom(argv), { names, all: argv.all }));
  },
};
