// husk pod clone [--name N] POD: a new pod made with the same options (its containers are not cloned).
import type { CommandModule } from 'yargs';
import { createPod, getPod, podContainers } from '../../engine/pods.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const podCloneCommand: CommandModule<object, GlobalArgs & { pod: string; name?: string }> = {
  command: 'clone <pod>',
  describe: 'Create a copy of an existing pod (its settings; not its containers)',
  builder: (y) => y.options({ name: { alias: 'n', type: 'string', coerce: lastWins, describe: 'Name of the new pod' } }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const pod = getPod(ctx, argv.pod);
    const infra = podContainers(ctx, pod).find((v) => v.record.podInfra);
    const clone = await createPod(ctx, {
      name: argv.name ?? `${pod.name}-clone`,
      labels: pod.labels,
      infra: infra !== undefined,
      share: pod.share,
      hostname: pod.hostname === pod.name ? undefined : pod.hostname,
      network: infra?.record.net ? { ...infra.record.net } : { mode: { kind: 'none' }, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [] },
      createCommand: process.argv.slice(1),
    });
    printOut(`${clone.id}\n`);
  },
};
