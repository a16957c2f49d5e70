// husk volume create [--label K=V]... [--opt K=V]... [--uid N] [--gid N] [--ignore] [NAME]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { createVolume } from '../../engine/volumes.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type CreateArgs = GlobalArgs & { name?: string; label: string[]; opt: string[]; driver: string; ignore: boolean; uid?: number; gid?: number };

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

/** --uid/--gid: the owner of a plain volume's directory, which husk's o=uid=N,gid=N already sets. */
function withOwner(options: Record<string, string>, uid: number | undefined, gid: number | undefined): Record<string, string> {
  const owner = [uid === undefined ? '' : `uid=${uid}`, gid === undefined ? '' : `gid=${gid}`].filter(Boolean);
  if (!owner.length) return options;
  for (const [flag, n] of [['--uid', uid], ['--gid', gid]] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new UsageError(`invalid ${flag} "${n}": give a user or group number`);
  }
  if (options.type !== undefined) throw new UsageError('--uid and --gid set the owner of a plain volume: with --opt type=..., give o=uid=N,gid=N');
  const kept = (options.o ?? '').split(',').filter((x) => x && !owner.some((o) => x.startsWith(o.slice(0, 4))));
  return { ...options, o: [...kept, ...owner].join(',') };
}

export const volumeCreateCommand: CommandModule<object, CreateArgs> = {
  command: 'create [name]',
  describe: 'Create a volume (a random name when none is given); prints its name',
  builder: (y) =>
    y.options({
      label: { alias: 'l', type: 'string', array: true, nargs: 1, default: [], describe: 'Set a label: KEY=VALUE' },
      opt: { alias: 'o', type: 'string', array: true, nargs: 1, default: [], describe: 'Driver option: o=uid=N,gid=N; type=tmpfs [o=size=..]; type=none o=bind device=/dir' },
      driver: { alias: 'd', type: 'string', default: 'local', describe: 'Volume driver (only local: husk has no volume plugins)' },
      ignore: { type: 'boolean', default: false, describe: 'Do nothing, successfully, when the volume exists' },
      uid: { type: 'number', coerce: lastWins, describe: "The owner of the volume's directory" },
      gid: { type: 'number', coerce: lastWins, describe: "The group of the volume's directory" },
    }) as never,
  handler: (argv) => {
    if (argv.driver !== 'local') throw new UsageError(`volume driver "${argv.driver}" is not supported: husk has only local volumes (no volume plugins)`);
    const name = argv.name === undefined ? undefined : String(argv.name);
    const options = withOwner(keyValues(argv.opt, '--opt', false), argv.uid, argv.gid);
    const v = createVolume(contextFrom(argv), { name, labels: keyValues(argv.label, '--label', true), options }, argv.ignore);
    printOut(`${v.name}\n`);
  },
};
