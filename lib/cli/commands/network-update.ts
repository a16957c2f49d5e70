// husk network update: podman's change of a network's DNS servers. husk
// networks have no DNS server list of their own: refused, saying so.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { refusedFlag } from '../compat.js';

const WHY = "husk networks have no DNS servers of their own to change (containers ask the network's name server, which forwards to the host's)";

export const networkUpdateCommand: CommandModule = {
  command: 'update <network>',
  describe: `Not supported: ${WHY}`,
  builder: (y) =>
    y.options({
      'dns-add': refusedFlag('dns-add', 'string', WHY),
      'dns-drop': refusedFlag('dns-drop', 'string', WHY),
    }),
  handler: () => {
    throw new UsageError(`husk network update is not supported: ${WHY}`);
  },
};
