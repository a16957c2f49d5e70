// husk network inspect [--format F] NETWORK...
import type { CommandModule } from 'yargs';
import { exitCodeFor } from '../../core/errors.js';
import { inspectNetworks, type NetworkInspect } from '../../engine/networks.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { parseTemplate } from '../format.js';
import { goFields } from '../network-view.js';
import { printOut } from '../output.js';

type InspectArgs = GlobalArgs & { networks: string[]; format?: string };

export const networkInspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <networks..>',
  describe: 'Show details of networks, as JSON',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', describe: 'json, or a template such as "{{.NetworkInterface}}"' } }) as never,
  handler: (argv) => {
    // A bad template fails before any output, as podman's does.
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format, { table: false });
    const found: NetworkInspect[] = [];
    for (const r of inspectNetworks(contextFrom(argv), argv.networks)) {
      if (r.network) found.push(r.network);
      else {
        // Like podman: the ones found are still shown, each missing one named.
        process.stderr.write(`Error: ${r.error?.message}\n`);
        process.exitCode = exitCodeFor(r.error);
      }
    }
    if (format && format.kind !== 'json') printOut(found.map((n) => `${format.template.execute(goFields(n))}\n`).join(''));
    else printOut(`${JSON.stringify(found, null, 4)}\n`);
  },
};
