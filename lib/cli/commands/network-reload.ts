// husk network reload [--all | --latest | CONTAINER...]: makes the bridges and firewall
// rules of running containers' networks again, after something (a firewall
// restart, `nft flush ruleset`) took them away, as podman's does.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { latestContainerId, reloadNetworks } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printReports } from '../each.js';

type ReloadArgs = GlobalArgs & { containers?: string[]; all: boolean; latest: boolean };

export const networkReloadCommand: CommandModule<object, ReloadArgs> = {
  command: 'reload [containers..]',
  describe: 'Make the network rules of running containers again',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Every running container' },
      latest: { alias: 'l', type: 'boolean', default: false, describe: 'The container created last' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const given = argv.containers ?? [];
    if ([argv.all, argv.latest, given.length > 0].filter(Boolean).length !== 1) throw new UsageError('give container names or IDs, --all or --latest (one of them)');
    const names = argv.latest ? [latestContainerId(ctx)] : given;
    printReports(reloadNetworks(ctx, { names, all: argv.all }));
  },
};
