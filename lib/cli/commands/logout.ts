// husk logout [--all] [--authfile F] [REGISTRY]
import type { CommandModule } from 'yargs';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { authFileFor, removeLogin } from '../../engine/registry.js';
import { lastWins, type GlobalArgs } from '../common.js';
import { authFileArg, registryKey } from './login.js';
import { printOut } from '../output.js';

type LogoutArgs = GlobalArgs & { registry?: string; all: boolean; authfile?: string; compatAuthFile?: string };

export const logoutCommand: CommandModule<object, LogoutArgs> = {
  command: 'logout [registry]',
  describe: 'Remove the login of a registry (--all: of every registry)',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Remove every login' },
      authfile: { type: 'string', coerce: lastWins, describe: 'Auth file to use' },
      'compat-auth-file': { type: 'string', coerce: lastWins, describe: "A docker-compatible auth file (docker's config.json) to use instead of --authfile" },
    }) as never,
  handler: (argv) => {
    const file = authFileFor(authFileArg(argv));
    if (argv.all) {
      removeLogin(file, undefined);
      printOut('Removed login credentials for all registries\n');
      return;
    }
    if (!argv.registry) throw new UsageError('give a registry, or --all');
    const registry = registryKey(argv.registry);
    if (!removeLogin(file, registry)) throw new NotFoundError(`not logged into ${registry}`);
    printOut(`Removed login credentials for ${registry}\n`);
  },
};
