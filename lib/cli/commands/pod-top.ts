// husk pod top POD [DESCRIPTOR...]: the processes of the pod's running containers.
import type { CommandModule } from 'yargs';
import { getPod, podContainers } from '../../engine/pods.js';
import { parseDescriptors, topContainer } from '../../engine/top.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const podTopCommand: CommandModule<object, GlobalArgs & { pod: string; descriptors?: string[] }> = {
  command: 'top <pod> [descriptors..]',
  describe: 'Display the running processes of the containers in a pod',
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const descriptors = parseDescriptors(argv.descriptors ?? []);
    const running = podContainers(ctx, getPod(ctx, argv.pod)).filter((v) => v.status === 'running' && !v.record.podInfra);
    const all = running.map((v) => topContainer(ctx, v, descriptors));
    const headers = all[0]?.[0] ?? descriptors.map((d) => d.toUpperCase());
    printOut(table(headers, all.flatMap(([, ...rows]) => rows)));
  },
};
