// husk system service / connection: podman's REST API service and the
// remote connections to it. husk is daemonless and has no API: refused.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';

const NO_SERVICE = 'husk has no API service: it is daemonless, each command works on the store itself';

const refused = (command: string, describe: string): CommandModule => ({
  command: `${command} [args..]`,
  describe: `Not supported: ${describe}`,
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }),
  handler: () => {
    throw new UsageError(`husk system ${command.split(' ')[0]} is not supported: ${NO_SERVICE}`);
  },
});

export const systemServiceCommand = refused('service', 'husk has no API service');
export const systemConnectionCommand = refused('connection', 'husk has no API service to connect to');

export const systemCheckCommand: CommandModule = {
  command: 'check [args..]',
  describe: 'Not supported: husk has no consistency check of its store yet',
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }),
  handler: () => {
    throw new UsageError('husk system check is not supported: husk has no consistency check of its store yet (husk system prune --external removes what an interrupted husk left behind)');
  },
};
