// husk pod clone [--name N] [-h H] [-l K=V]... [--memory ...] [--infra-command C] [--destroy] [--start] POD:
// a new pod made with the same options, the flags given changing them (its containers are not cloned).
import type { CommandModule } from 'yargs';
import type { Resources } from '../../core/oci-spec.js';
import { createPod, getPod, podContainers, removePod, startPod } from '../../engine/pods.js';
import { words } from '../../engine/compose.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { parseLabels } from '../run-options.js';
import { resourceOptions, type ResourceArgs } from '../resource-options.js';
import { labelFileItems, POD_REFUSED_OPTIONS } from '../pod-options.js';
import { POD_CREATE_OPTIONS } from './pod-create.js';
import type { OptionTable } from '../parse-args.js';

type CloneArgs = GlobalArgs &
  ResourceArgs & {
    pod: string;
    name?: string;
    hostname?: string;
    label: string[];
    labelFile: string[];
    infraCommand?: string;
    infraName?: string;
    infraConmonPidfile?: string;
    destroy: boolean;
    start: boolean;
  };

/** What pod clone takes of pod create's flags: the pod's limits, names and infra. */
const FROM_CREATE = ['blkio-weight', 'blkio-weight-device', 'cpu-shares', 'cpus', 'cpuset-cpus', 'cpuset-mems', 'device-read-bps', 'device-write-bps', 'memory', 'memory-swap', 'hostname', 'label', 'label-file', 'infra-command', 'infra-name', 'infra-conmon-pidfile'] as const;

export const podCloneCommand: CommandModule<object, CloneArgs> = {
  command: 'clone <pod>',
  describe: 'Create a copy of an existing pod (its settings; not its containers)',
  builder: (y) =>
    y.options({
      ...Object.fromEntries(FROM_CREATE.map((k) => [k, (POD_CREATE_OPTIONS as OptionTable)[k]])),
      ...POD_REFUSED_OPTIONS,
      name: { alias: 'n', type: 'string', coerce: lastWins, describe: 'Name of the new pod (default: POD-clone)' },
      destroy: { type: 'boolean', default: false, describe: 'Remove the original pod, with its containers, once the clone is made' },
      start: { type: 'boolean', default: false, describe: 'Start the new pod' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const pod = getPod(ctx, argv.pod);
    const infra = podContainers(ctx, pod).find((v) => v.record.podInfra);
    const { resources: given, warnings } = resourceOptions(argv);
    for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
    const clone = await createPod(ctx, {
      name: argv.name ?? `${pod.name}-clone`,
      labels: { ...pod.labels, ...parseLabels([...labelFileItems(argv.labelFile), ...argv.label]) },
      infra: infra !== undefined,
      infraCommand: argv.infraCommand === undefined ? undefined : words(argv.infraCommand, '--infra-command'),
      infraName: argv.infraName,
      infraMonitorPidFile: argv.infraConmonPidfile,
      share: pod.share,
      hostname: argv.hostname ?? (pod.hostname === pod.name ? undefined : pod.hostname),
      resources: mergeResources(pod.resources, given),
      network: infra?.record.net ? { ...infra.record.net } : { mode: { kind: 'none' }, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [] },
      createCommand: process.argv.slice(1),
    });
    if (argv.destroy) await removePod(ctx, pod, true);
    if (argv.start) startPod(ctx, clone);
    printOut(`${clone.id}\n`);
  },
};

/** The original pod's limits, each one given on the command line replacing its own. */
function mergeResources(old: Resources | undefined, given: Resources | undefined): Resources | undefined {
  if (!old || !given) return given ?? old;
  const out: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(given)) {
    const was = out[k];
    out[k] = was && typeof was === 'object' && !Array.isArray(was) && typeof v === 'object' && !Array.isArray(v) ? { ...was, ...v } : v;
  }
  return out as Resources;
}
