// husk kube play [--replace] [--start=false] [--network N] [--configmap F]... [-p ...] FILE|-|URL:
// the pods of Kubernetes YAML (Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim).
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { kubePlay } from '../../engine/kube.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { readKubeSource } from './kube-down.js';

type PlayArgs = GlobalArgs & { file: string; replace: boolean; start: boolean; network?: string; configmap: string[]; publish: string[]; userns?: string; logDriver?: string; build?: boolean; down: boolean };

const many = { type: 'string', array: true, nargs: 1, default: [] } as const;

export const kubePlayCommand: CommandModule<object, PlayArgs> = {
  command: 'play <file>',
  describe: 'Create pods, containers and volumes from Kubernetes YAML (FILE, - for stdin, or an http(s) URL)',
  builder: (y) =>
    y.options({
      replace: { type: 'boolean', default: false, describe: 'Remove pods of the same names first' },
      start: { type: 'boolean', default: true, describe: 'Start the pods (--start=false: only create them)' },
      network: { alias: 'net', type: 'string', coerce: lastWins, describe: 'The network of the pods (a user network, pasta, ...)' },
      configmap: { ...many, describe: 'A YAML file of ConfigMaps the pods refer to' },
      publish: { ...many, describe: 'Publish a port of the pods besides their hostPorts: [IP:]HOSTPORT:CONTAINERPORT' },
      userns: { type: 'string', coerce: lastWins, describe: 'User namespace: only the default ("") is supported' },
      'log-driver': { type: 'string', coerce: lastWins, describe: 'Log driver: k8s-file (husk\'s own log) only' },
      build: { type: 'boolean', describe: 'Build images from directories named after them: not supported by husk' },
      down: { type: 'boolean', default: false, describe: 'Remove the pods of the YAML instead (as kube down)' },
    }) as never,
  handler: async (argv) => {
    if (argv.userns !== undefined && argv.userns !== '') throw new UsageError(`--userns ${argv.userns}: kube play supports only the default user namespace`);
    if (argv.logDriver !== undefined && !['k8s-file', 'json-file'].includes(argv.logDriver)) throw new UsageError(`--log-driver ${argv.logDriver}: husk keeps its own log file (k8s-file)`);
    if (argv.build) throw new UsageError('--build is not supported by husk kube play: build the images with husk build first');
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const { text, source } = await readKubeSource(argv.file);
    if (argv.down) {
      const { kubeDown } = await import('../../engine/kube.js');
      return kubeDown(ctx, text, source, false, (l) => printOut(`${l}\n`));
    }
    const configMaps = await Promise.all(argv.configmap.map(async (f) => (await readKubeSource(f)).text));
    await kubePlay(ctx, text, source, {
      start: argv.start,
      replace: argv.replace,
      network: argv.network,
      publish: argv.publish,
      configMaps,
      report: (line) => (line.startsWith('WARN:') ? process.stderr.write(`${line}\n`) : printOut(`${line}\n`)),
    });
  },
};
