// husk secret create [--env] [--label K=V]... [--replace] NAME FILE|-
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { createSecret } from '../../engine/secrets.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { refusedFlag } from '../compat.js';
import { printOut } from '../output.js';
import { parseLabels } from '../run-options.js';

type CreateArgs = GlobalArgs & { name: string; source: string; env: boolean; label: string[]; replace: boolean; driver?: string };

export const secretCreateCommand: CommandModule<object, CreateArgs> = {
  command: 'create <name> <source>',
  describe: 'Create a secret from a file, - (stdin), or with --env a variable',
  builder: (y) =>
    y.options({
      env: { type: 'boolean', default: false, describe: 'SOURCE names an environment variable holding the data' },
      label: { alias: 'l', type: 'string', array: true, nargs: 1, default: [], describe: 'Set metadata on the secret (KEY=VALUE)' },
      replace: { type: 'boolean', default: false, describe: 'Replace a secret of the same name' },
      driver: { alias: 'd', type: 'string', describe: 'Secret driver: file (the only one)' },
      'driver-opts': refusedFlag('driver-opts', 'string', 'the file driver takes no options', { array: true, nargs: 1 }),
    }) as never,
  handler: (argv) => {
    if (argv.driver !== undefined && argv.driver !== 'file') throw new UsageError(`secret driver "${argv.driver}" is not supported: only file`);
    const record = createSecret(contextFrom(argv), argv.name, dataOf(argv.source, argv.env), { labels: parseLabels(argv.label), replace: argv.replace });
    printOut(`${record.id}\n`);
  },
};

function dataOf(source: string, fromEnv: boolean): Buffer {
  if (fromEnv) {
    const value = process.env[source];
    if (value === undefined) throw new UsageError(`environment variable ${source} is not set`);
    return Buffer.from(value);
  }
  try {
    return fs.readFileSync(source === '-' ? 0 : source);
  } catch (err) {
    throw new UsageError(`${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
}
