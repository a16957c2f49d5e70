// husk top CONTAINER [DESCRIPTOR...]: the container's processes, ps-style.
import type { CommandModule } from 'yargs';
import { parseDescriptors, topContainer } from '../../engine/top.js';
import { getContainer } from '../../engine/containers.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type TopArgs = GlobalArgs & { container: string; descriptors?: string[] };

export const topCommand: CommandModule<object, TopArgs> = {
  command: 'top <container> [descriptors..]',
  describe: 'Show the processes of a container (descriptors: user, pid, ppid, pcpu, etime, tty, time, args, comm, group, hpid, huser, ...)',
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const descriptors = parseDescriptors(argv.descriptors ?? []);
    const [headers, ...rows] = topContainer(ctx, getContainer(ctx, String(argv.container)), descriptors);
    printOut(table(headers!, rows));
  },
};
