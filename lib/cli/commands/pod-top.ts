// husk pod top POD|-l [DESCRIPTOR...]: the processes of the pod's running containers.
import type { CommandModule } from 'yargs';
import { getPod, podContainers } from '../../engine/pods.js';
import { parseDescriptors, topContainer } from '../../engine/top.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { LATEST_OPTION, latestOrNamed } from '../pod-options.js';
import { UsageError } from '../../core/errors.js';

export const podTopCommand: CommandModule<object, GlobalArgs & { pod?: string; descriptors?: string[]; latest: boolean }> = {
  command: 'top [pod] [descriptors..]',
  describe: 'Display the running processes of the containers in a pod',
  builder: (y) => y.options(LATEST_OPTION).parserConfiguration({ 'unknown-options-as-args': true }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    // With --latest the first word is a descriptor, not a pod.
    const words = [...(argv.pod === undefined ? [] : [argv.pod]), ...(argv.descriptors ?? [])];
    const pod = argv.latest ? latestOrNamed(ctx, [], true)! : words.shift();
    if (pod === undefined) throw new UsageError('pod top needs a pod name or ID, or --latest');
    const descriptors = parseDescriptors(words);
    const running = podContainers(ctx, getPod(ctx, pod)).filter((v) => v.status === 'running' && !v.record.podInfra);
    const all = running.map((v) => topContainer(ctx, v, descriptors));
    const headers = all[0]?.[0] ?? descriptors.map((d) => d.toUpperCase());
    printOut(table(headers, all.flatMap(([, ...rows]) => rows)));
  },
};
