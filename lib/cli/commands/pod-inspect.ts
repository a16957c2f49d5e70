// husk pod inspect [--format F] POD...
import type { CommandModule } from 'yargs';
import { getPod, inspectPod } from '../../engine/pods.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { renderOne } from '../format.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, latestOrNamed } from '../pod-options.js';

export const podInspectCommand: CommandModule<object, GlobalArgs & { pods?: string[]; format?: string; latest: boolean }> = {
  command: 'inspect [pods..]',
  describe: 'Display information about pods',
  builder: (y) => y.options({ ...LATEST_OPTION, format: { alias: 'f', type: 'string', coerce: lastWins, describe: 'Format with a Go template' } }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const pods = argv.latest ? [latestOrNamed(ctx, argv.pods, true)!] : (argv.pods ?? []);
    if (pods.length === 0) throw new UsageError('give at least one pod name or ID, or --latest');
    const docs = pods.map((p) => inspectPod(ctx, getPod(ctx, p)));
    if (argv.format) return printOut(docs.map((d) => renderOne(argv.format!, d)).join(''));
    printOut(`${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 4)}\n`);
  },
};
