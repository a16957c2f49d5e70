// husk kube play [--replace] [--start=false] [--network N] [--configmap F]... [-p ...] [--publish-all] [--no-hosts]
// [--no-pod-prefix] [--ip IP]... [-q] [-w] [--down [--force]] FILE|-|URL:
// the pods of Kubernetes YAML (Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim).
import type { CommandModule } from 'yargs';
import type { Context } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { kubeDown, kubePlay, waitForKubePods } from '../../engine/kube.js';
import { many, contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { readKubeSource } from './kube-down.js';
import { ignoredFlag, refusedFlag } from '../compat.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';

type PlayArgs = GlobalArgs &
  RegistryArgs & {
    file: string;
    replace: boolean;
    start: boolean;
    network?: string;
    configmap: string[];
    publish: string[];
    userns?: string;
    logDriver?: string;
    build?: boolean;
    down: boolean;
    force: boolean;
    quiet: boolean;
    wait: boolean;
    hosts: boolean;
    publishAll: boolean;
    noPodPrefix: boolean;
    ip: string[];
    macAddress: string[];
  };


export const kubePlayCommand: CommandModule<object, PlayArgs> = {
  command: 'play <file>',
  describe: 'Create pods, containers and volumes from Kubernetes YAML (FILE, - for stdin, or an http(s) URL)',
  builder: (y) =>
    y.options({
      replace: { type: 'boolean', default: false, describe: 'Remove pods of the same names first' },
      start: { type: 'boolean', default: true, describe: 'Start the pods (--start=false: only create them)' },
      network: { alias: 'net', type: 'string', coerce: lastWins, describe: 'The network of the pods (a user network, pasta, ...)' },
      configmap: { ...many('A YAML file of ConfigMaps the pods refer to') },
      publish: { ...many('Publish a port of the pods besides their hostPorts: [IP:]HOSTPORT:CONTAINERPORT') },
      userns: { type: 'string', coerce: lastWins, describe: 'User namespace: only the default ("") is supported' },
      'log-driver': { type: 'string', coerce: lastWins, describe: 'Log driver: k8s-file (husk\'s own log) only' },
      build: { type: 'boolean', describe: 'Build images from directories named after them: not supported by husk' },
      down: { type: 'boolean', default: false, describe: 'Remove the pods of the YAML instead (as kube down)' },
      force: { type: 'boolean', default: false, describe: "With --down: remove the PersistentVolumeClaims' volumes too" },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print no pod and container IDs' },
      wait: { alias: 'w', type: 'boolean', default: false, describe: 'Stay until the containers exit (or an interrupt), then remove the pods, as kube down' },
      hosts: { type: 'boolean', default: true, describe: 'Write /etc/hosts in the pods (--no-hosts: do not)' },
      'publish-all': { type: 'boolean', default: false, describe: 'Publish each containerPort without a hostPort at the same host port' },
      'no-pod-prefix': { type: 'boolean', default: false, describe: 'Name the containers as in the YAML, not POD-CONTAINER' },
      ip: { ...many('A static IP of a pod on its network (given once per pod, in order)') },
      'mac-address': { ...many('A static MAC address of a pod on its network (given once per pod, in order)') },
      ...REGISTRY_OPTIONS,
      annotation: refusedFlag('annotation', 'string', 'husk containers carry no OCI annotations', { array: true, nargs: 1 }),
      'context-dir': refusedFlag('context-dir', 'string', 'kube play --build is not supported: build the images with husk build first'),
      'log-opt': ignoredFlag('log-opt', 'string', "husk's container log (k8s-file) takes no options", { array: true, nargs: 1 }),
      'no-hostname': refusedFlag('no-hostname', 'boolean', 'husk always writes /etc/hostname'),
      'seccomp-profile-root': ignoredFlag('seccomp-profile-root', 'string', 'husk runs kube containers with its default seccomp profile'),
    }) as never,
  handler: async (argv) => {
    if (argv.userns !== undefined && argv.userns !== '') throw new UsageError(`--userns ${argv.userns}: kube play supports only the default user namespace`);
    if (argv.logDriver !== undefined && !['k8s-file', 'json-file'].includes(argv.logDriver)) throw new UsageError(`--log-driver ${argv.logDriver}: husk keeps its own log file (k8s-file)`);
    if (argv.build) throw new UsageError('--build is not supported by husk kube play: build the images with husk build first');
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const { text, source } = await readKubeSource(argv.file);
    const report = (line: string) => (line.startsWith('WARN:') ? process.stderr.write(`${line}\n`) : argv.quiet || printOut(`${line}\n`));
    if (argv.down) return kubeDown(ctx, text, source, argv.force, report);
    if (argv.force) throw new UsageError('--force goes with --down');
    const configMaps = await Promise.all(argv.configmap.map(async (f) => (await readKubeSource(f)).text));
    await kubePlay(ctx, text, source, {
      start: argv.start,
      replace: argv.replace,
      network: argv.network,
      publish: argv.publish,
      configMaps,
      noHosts: !argv.hosts,
      publishAll: argv.publishAll,
      noPodPrefix: argv.noPodPrefix,
      ips: argv.ip,
      macs: argv.macAddress,
      access: hasAccessFlags(argv) ? accessFrom(argv) : undefined,
      report,
    });
    if (argv.wait) await waitThenDown(ctx, text, source, report);
  },
};

const hasAccessFlags = (a: RegistryArgs) => a.authfile !== undefined || a.creds !== undefined || a.certDir !== undefined || a.tlsVerify !== undefined;

/** --wait: the pods live until their containers exit or husk is interrupted, then go as with kube down. */
async function waitThenDown(ctx: Context, text: string, source: string, report: (line: string) => void): Promise<void> {
  const interrupted = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  await waitForKubePods(ctx, text, source, interrupted);
  await kubeDown(ctx, text, source, false, report);
}
