// husk top CONTAINER [DESCRIPTOR...]: the container's processes, ps-style.
import type { CommandModule } from 'yargs';
import { parseDescriptors, topContainer } from '../../engine/top.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, nameOrLatest } from '../targets.js';

type TopArgs = GlobalArgs & { container?: string; descriptors?: string[]; latest: boolean };

export const topCommand: CommandModule<object, TopArgs> = {
  command: 'top [container] [descriptors..]',
  describe: 'Show the processes of a container (descriptors: user, pid, ppid, pcpu, etime, tty, time, args, comm, group, hpid, huser, ...)',
  builder: (y) => y.options(LATEST_OPTION).parserConfiguration({ 'unknown-options-as-args': true }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    // With --latest every word is a descriptor.
    const words = [...(argv.container === undefined ? [] : [argv.container]), ...(argv.descriptors ?? [])];
    const name = argv.latest ? undefined : words.shift();
    const descriptors = parseDescriptors(words);
    const [headers, ...rows] = topContainer(ctx, getContainer(ctx, nameOrLatest(ctx, name, argv.latest, 'top')), descriptors);
    printOut(table(headers!, rows));
  },
};
