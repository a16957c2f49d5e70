// husk kube generate [--service] [--type pod|deployment|daemonset|job] [-r N] [-f FILE] POD|CONTAINER|VOLUME...
// (also `husk generate kube`): Kubernetes YAML of what runs here.
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { kubeGenerate, type KubeKind } from '../../engine/kube.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { ignoredFlag } from '../compat.js';

type GenerateArgs = GlobalArgs & { names: string[]; service: boolean; type: string; filename?: string; replicas?: number };

const KINDS = ['pod', 'deployment', 'daemonset', 'job'];

export const kubeGenerateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate <names..>',
  describe: 'Generate Kubernetes YAML of pods, containers or volumes',
  builder: (y) =>
    y.options({
      service: { alias: 's', type: 'boolean', default: false, describe: 'Also a Service for the published ports (NodePort)' },
      type: { alias: 't', type: 'string', default: 'pod', coerce: lastWins, describe: `The kind of the YAML: ${KINDS.join(', ')}` },
      filename: { alias: 'f', type: 'string', coerce: lastWins, describe: 'Write to this file instead of stdout' },
      replicas: { alias: 'r', type: 'number', coerce: lastWins, describe: 'The replicas of a Deployment (--type deployment; default 1)' },
      'podman-only': ignoredFlag('podman-only', 'boolean', "husk writes no podman-only annotations: its YAML is Kubernetes' own"),
    }) as never,
  handler: (argv) => {
    const kind = argv.type.toLowerCase();
    if (!KINDS.includes(kind)) throw new UsageError(`invalid --type "${argv.type}": use ${KINDS.join(', ')}`);
    if (argv.replicas !== undefined && (!Number.isInteger(argv.replicas) || argv.replicas < 0)) throw new UsageError(`invalid --replicas "${argv.replicas}": give a whole number`);
    if (argv.replicas !== undefined && kind !== 'deployment') throw new UsageError('--replicas goes with --type deployment');
    const yaml = kubeGenerate(contextFrom(argv), argv.names, { kind: kind as KubeKind, service: argv.service, replicas: argv.replicas });
    if (argv.filename) fs.writeFileSync(argv.filename, yaml);
    else printOut(yaml);
  },
};
