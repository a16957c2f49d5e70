// husk compose cp [-a] [-L] [--index N] SERVICE:SRC_PATH DEST | SRC SERVICE:DEST_PATH
import { isatty } from 'node:tty';
import type { CommandModule } from 'yargs';
import { copy } from '../../engine/cp.js';
import { contextFrom, lastWins } from '../common.js';
import { loadComposeProject, serviceContainer, type ComposeArgs } from '../compose-options.js';
import type { Context } from '../../core/context.js';
import type { Project } from '../../engine/compose.js';

type CpArgs = ComposeArgs & { source: string; destination: string; archive: boolean; followLink: boolean; index?: number };

export const composeCpCommand: CommandModule<object, CpArgs> = {
  command: 'cp <source> <destination>',
  describe: 'Copy files/folders between a service container and the local filesystem',
  builder: (y) =>
    y.options({
      archive: { alias: 'a', type: 'boolean', default: false, describe: 'Archive mode (copy all uid/gid information)' },
      'follow-link': { alias: 'L', type: 'boolean', default: false, describe: 'Always follow symbol link in SRC_PATH' },
      index: { type: 'number', coerce: lastWins, describe: 'Index of the container if the service has multiple replicas' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv, { quiet: true });
    const resolve = (arg: string) => containerPath(ctx, project, arg, argv.index);
    const r = await copy(ctx, { source: resolve(argv.source), destination: resolve(argv.destination), archive: argv.archive, followLink: argv.followLink, terminal: { stdin: isatty(0), stdout: isatty(1) } });
    for (const w of r.warnings) process.stderr.write(`WARN: ${w}\n`);
  },
};

/** SERVICE:PATH as CONTAINER:PATH; anything else (a host path, -) as it is. */
function containerPath(ctx: Context, project: Project, arg: string, index?: number): string {
  const colon = arg.indexOf(':');
  if (colon <= 0 || arg.startsWith('/') || arg.startsWith('.')) return arg;
  const service = arg.slice(0, colon);
  if (!project.services[service]) return arg;
  return `${serviceContainer(ctx, project, service, index).view.record.id}:${arg.slice(colon + 1)}`;
}
