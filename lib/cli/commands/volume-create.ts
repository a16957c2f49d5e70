// husk volume create [--label K=V]... [--opt K=V]... [--ignore] [NAME]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { createVolume } from '../../engine/volumes.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type CreateArgs = GlobalArgs & { name?: string; label: string[]; opt: string[]; driver: string; ignore: boolean };

/** KEY=VALUE pairs (a bare KEY has an empty value, as docker's labels). */
export function keyValues(list: string[], flag: string, bareAllowed: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!key || (eq < 0 && !bareAllowed)) throw new UsageError(`invalid ${flag} "${item}": expected KEY=VALUE`);
    out[key] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

export const volumeCreateCommand: CommandModule<object, CreateArgs> = {
  command: 'create [name]',
  describe: 'Create a volume (a random name when none is given); prints its name',
  builder: (y) =>
    y.options({
      label: { alias: 'l', type: 'string', array: true, nargs: 1, default: [], describe: 'Set a label: KEY=VALUE' },
      opt: { alias: 'o', type: 'string', array: true, nargs: 1, default: [], describe: 'Driver option: o=uid=N,gid=N; type=tmpfs [o=size=..]; type=none o=bind device=/dir' },
      driver: { alias: 'd', type: 'string', default: 'local', describe: 'Volume driver (only local)' },
      ignore: { type: 'boolean', default: false, describe: 'Do nothing, successfully, when the volume exists' },
    }) as never,
  handler: (argv) => {
    if (argv.driver !== 'local') throw new UsageError(`volume driver "${argv.driver}" is not supported: only local`);
    const name = argv.name === undefined ? undefined : String(argv.name);
    const v = createVolume(contextFrom(argv), { name, labels: keyValues(argv.label, '--label', true), options: keyValues(argv.opt, '--opt', false) }, argv.ignore);
    printOut(`${v.name}\n`);
  },
};
