// husk inspect [--type container|image|volume] [-f FORMAT] [-s] NAME...
// (also `container inspect` and `image inspect`): JSON as docker and podman
// print it, or each object through a Go template.
import type { CommandModule } from 'yargs';
import type { Context } from '../../core/context.js';
import { exitCodeFor, messageFor, NotFoundError, UsageError } from '../../core/errors.js';
import { imageExists, inspectImage } from '../../engine/images.js';
import { inspectContainer } from '../../engine/inspect.js';
import { inspectVolume, volumeExists } from '../../engine/volumes.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { parseTemplate, renderOne } from '../format.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';

type Kind = 'container' | 'image' | 'volume';
type InspectArgs = GlobalArgs & { names: string[]; type?: string; format?: string; size: boolean; latest: boolean };

const KINDS = ['container', 'image', 'volume', 'all'];

function inspectOne(ctx: Context, name: string, kind: Kind | undefined, size: boolean): unknown {
  if (kind === undefined || kind === 'container') {
    let view;
    try {
      view = getContainer(ctx, name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // an ambiguous ID prefix says so
    }
    if (view) return inspectContainer(ctx, view, size);
  }
  // inspectImage's own error says "image not known", as podman does.
  if (kind === 'image' || (kind === undefined && imageExists(ctx, name))) return inspectImage(ctx, name);
  if ((kind === undefined || kind === 'volume') && volumeExists(ctx, name)) return inspectVolume(ctx, name);
  // podman's words, which scripts match.
  throw new NotFoundError(kind ? `inspecting object: no such ${kind} ${name}` : `inspecting object: no such object: "${name}"`);
}

export function inspectCommandFor(kind?: Kind): CommandModule<object, InspectArgs> {
  return {
    command: 'inspect [names..]',
    describe: kind ? `Show details of ${kind}s, as JSON` : 'Show details of containers, images or volumes, as JSON',
    builder: (y) =>
      y.options({
        ...(kind ? {} : { type: { alias: 't', type: 'string', coerce: lastWins, describe: 'Only look for: container, image or volume' } }),
        format: { alias: 'f', type: 'string', coerce: lastWins, describe: 'json, or a Go template such as {{.State.Status}}' },
        ...(kind === undefined || kind === 'container' ? LATEST_OPTION : {}),
        size: { alias: 's', type: 'boolean', default: false, describe: 'Show the size of a container\'s writable layer (SizeRw)' },
      }) as never,
    handler: (argv) => {
      const type = kind ?? (argv.type === undefined || argv.type === 'all' ? undefined : argv.type);
      if (type !== undefined && !KINDS.includes(type)) throw new UsageError(`invalid --type "${argv.type}": use container, image or volume`);
      const template = argv.format && argv.format !== 'json' ? parseTemplate(argv.format) : undefined;
      const ctx = contextFrom(argv);
      const found: unknown[] = [];
      const names = namesOrLatest(ctx, argv.names ?? [], argv.latest ?? false);
      if (names.length === 0) throw new UsageError(`inspect needs a name or ID${kind === 'image' || kind === 'volume' ? '' : ', or --latest'} (see 'husk ${kind ? `${kind} ` : ''}inspect --help')`);
      for (const name of names) {
        try {
          found.push(inspectOne(ctx, name, type as Kind | undefined, argv.size));
        } catch (err) {
          process.stderr.write(`Error: ${messageFor(err)}\n`);
          process.exitCode = exitCodeFor(err);
        }
      }
      if (template) printOut(found.map((o) => renderOne(template, o)).join(''));
      else printOut(`${JSON.stringify(found, null, 4)}\n`); // [] when nothing was found, as docker and podman print
    },
  };
}

export const inspectCommand = inspectCommandFor();
