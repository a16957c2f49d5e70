// husk pod inspect [--format F] POD...
import type { CommandModule } from 'yargs';
import { getPod, inspectPod } from '../../engine/pods.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { renderOne } from '../format.js';
import { printOut } from '../output.js';

export const podInspectCommand: CommandModule<object, GlobalArgs & { pods: string[]; format?: string }> = {
  command: 'inspect <pods..>',
  describe: 'Display information about pods',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', coerce: lastWins, describe: 'Format with a Go template' } }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const docs = argv.pods.map((p) => inspectPod(ctx, getPod(ctx, p)));
    if (argv.format) return printOut(docs.map((d) => renderOne(argv.format!, d)).join(''));
    printOut(`${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 4)}\n`);
  },
};
