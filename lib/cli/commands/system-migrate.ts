// husk system migrate / renumber: podman's repairs after an upgrade (its
// database, its lock numbers, its OCI runtime). husk keeps none of these:
// nothing to do, said once.
import type { CommandModule } from 'yargs';
import { ignoredFlag } from '../compat.js';

export const systemMigrateCommand: CommandModule = {
  command: 'migrate',
  describe: 'Nothing to do: husk stores containers in files that need no migration',
  builder: (y) =>
    y.options({
      'new-runtime': ignoredFlag('new-runtime', 'string', 'husk runs containers itself, with no separate OCI runtime to switch to'),
      'migrate-db': ignoredFlag('migrate-db', 'boolean', 'husk has no database to migrate'),
    }),
  handler: () => {
    process.stderr.write('husk stores containers in plain files: there is nothing to migrate\n');
  },
};

export const systemRenumberCommand: CommandModule = {
  command: 'renumber',
  describe: 'Nothing to do: husk has no lock numbers',
  handler: () => {
    process.stderr.write('husk uses a lock file per container, not numbered locks: there is nothing to renumber\n');
  },
};
