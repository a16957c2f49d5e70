// husk pod create [--name N] [-p ...] [--network ...] [--share net,ipc,uts]
// [--infra=false] [--infra-image I] [--infra-command C] [--hostname H] [-l K=V]...
// [--label-file F] [--replace] [--pod-id-file F] [--infra-conmon-pidfile F] [--exit-policy continue|stop]
import type { CommandModule } from 'yargs';
import type { Context } from '../../core/context.js';
import type { CreateOptions } from '../../engine/create.js';
import { createPod, EXIT_POLICIES, parseShare, preparePodMember } from '../../engine/pods.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { CREATE_OPTIONS, networkOptions, parseLabels, type CreateArgs } from '../run-options.js';
import { RESOURCE_OPTIONS, resourceOptions, type ResourceArgs } from '../resource-options.js';
import { ignoredFlag, refusedFlag } from '../compat.js';
import { labelFileItems, POD_REFUSED_OPTIONS } from '../pod-options.js';
import { words } from '../../engine/compose.js';

export type PodCreateArgs = GlobalArgs &
  ResourceArgs &
  Pick<CreateArgs, 'network' | 'networkAlias' | 'ip' | 'macAddress' | 'publish' | 'addHost' | 'hosts' | 'dns' | 'dnsSearch' | 'dnsOption' | 'label' | 'hostname'> & {
    name?: string;
    share?: string;
    infra: boolean;
    infraImage?: string;
    infraCommand?: string;
    infraName?: string;
    replace?: boolean;
    podIdFile?: string;
    infraConmonPidfile?: string;
    exitPolicy?: string;
    labelFile?: string[];
  };

/** The limits a pod's cgroup takes for all its containers. */
const POD_LIMITS = ['memory', 'memory-reservation', 'memory-swap', 'cpus', 'cpu-shares', 'cpu-period', 'cpu-quota', 'cpuset-cpus', 'cpuset-mems', 'pids-limit', 'blkio-weight', 'blkio-weight-device', 'device-read-bps', 'device-write-bps'];

const FROM_RUN = ['network', 'network-alias', 'ip', 'mac-address', 'publish', 'add-host', 'hosts', 'dns', 'dns-search', 'dns-option', 'label', 'hostname'];

export const POD_CREATE_OPTIONS = {
  ...Object.fromEntries(FROM_RUN.map((k) => [k, CREATE_OPTIONS[k]!])),
  ...Object.fromEntries(POD_LIMITS.map((k) => [k, RESOURCE_OPTIONS[k]!])),
  name: { alias: 'n', type: 'string', coerce: lastWins, describe: 'Name of the pod' },
  share: { type: 'string', coerce: lastWins, describe: 'Namespaces the containers share with the infra: net, ipc, uts (default all three)' },
  infra: { type: 'boolean', default: true, describe: 'Create an infra container holding the shared namespaces' },
  'infra-image': { type: 'string', coerce: lastWins, describe: 'Image of the infra container (default: husk-pause, made locally)' },
  'infra-command': { type: 'string', coerce: lastWins, describe: 'Command of the infra container' },
  'infra-name': { type: 'string', coerce: lastWins, describe: 'Name of the infra container (default: <pod id>-infra)' },
  replace: { type: 'boolean', default: false, describe: 'Remove a pod of the same --name first, with its containers' },
  'pod-id-file': { type: 'string', coerce: lastWins, describe: 'Write the pod ID to this file' },
  'infra-conmon-pidfile': { type: 'string', coerce: lastWins, describe: 'Write the pid of the infra container\'s monitor to this file at each start' },
  'exit-policy': { type: 'string', coerce: lastWins, describe: 'When the last container exits: continue (the pod runs on, default) or stop (the infra stops too)' },
  'label-file': { type: 'string', array: true, nargs: 1, default: [], describe: 'Read labels from a file of KEY=VALUE lines' },
  'share-parent': ignoredFlag('share-parent', 'boolean', "the members of a husk pod with limits always sit in the pod's cgroup"),
  ip6: refusedFlag('ip6', 'string', 'husk gives containers no fixed IPv6 address'),
  'hosts-file': refusedFlag('hosts-file', 'string', "husk writes /etc/hosts from the image's and its own entries (--add-host, --no-hosts)"),
  'no-hostname': refusedFlag('no-hostname', 'boolean', 'husk always writes /etc/hostname'),
  ...POD_REFUSED_OPTIONS,
} as const;

export const podCreateCommand: CommandModule<object, PodCreateArgs> = {
  command: 'create',
  describe: 'Create a new empty pod',
  builder: (y) => y.options(POD_CREATE_OPTIONS) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const pod = await createPod(ctx, podCreateOptions(argv, ctx.rootless));
    printOut(`${pod.id}\n`);
  },
};

/** The flags of pod create (and run --pod new:NAME, which has none of them) as the engine's options. */
export function podCreateOptions(argv: Partial<PodCreateArgs>, rootless: boolean) {
  return {
    name: argv.name,
    labels: parseLabels([...labelFileItems(argv.labelFile), ...(argv.label ?? [])]) ?? {},
    infra: argv.infra ?? true,
    infraImage: argv.infraImage,
    infraCommand: argv.infraCommand === undefined ? undefined : words(argv.infraCommand, '--infra-command'),
    infraName: argv.infraName,
    share: argv.infra === false && argv.share === undefined ? [] : parseShare(argv.share),
    hostname: argv.hostname,
    resources: resourceLimits(argv),
    network: networkOptions({ env: [], envFile: [], capAdd: [], capDrop: [], securityOpt: [], label: [], image: '', interactive: false, tty: false, rm: false, privileged: false, readOnly: false, init: false, ...argv }, rootless),
    createCommand: process.argv.slice(1),
    exitPolicy: exitPolicy(argv.exitPolicy),
    replace: argv.replace ?? false,
    podIdFile: argv.podIdFile,
    infraMonitorPidFile: argv.infraConmonPidfile,
  };
}

function exitPolicy(value: string | undefined): 'continue' | 'stop' | undefined {
  if (value === undefined) return undefined;
  if (!(EXIT_POLICIES as readonly string[]).includes(value)) throw new UsageError(`invalid --exit-policy "${value}": use ${EXIT_POLICIES.join(' or ')}`);
  return value as 'continue' | 'stop';
}

/** run/create --pod POD (or new:NAME, a pod with the defaults): the options of a member of it. */
export function inPod(ctx: Context, pod: string, opts: CreateOptions): Promise<CreateOptions> {
  return preparePodMember(ctx, pod, opts, (name) => createPod(ctx, podCreateOptions({ name }, ctx.rootless)));
}

function resourceLimits(argv: Partial<ResourceArgs>) {
  const { resources, warnings } = resourceOptions(argv);
  for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
  return resources;
}
