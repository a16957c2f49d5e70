// husk generate <command>: files made from what husk has (systemd units, Kubernetes YAML).
import type { CommandModule } from 'yargs';
import { generateSystemdCommand } from './generate-systemd.js';
import { kubeGenerateCommand } from './kube-generate.js';

/** `generate kube` is podman's older spelling of `kube generate`. */
export const GENERATE_SUBCOMMANDS: CommandModule[] = [generateSystemdCommand as CommandModule, { ...kubeGenerateCommand, command: 'kube <names..>' } as CommandModule];

export const generateCommand: CommandModule = {
  command: 'generate',
  describe: 'Generate systemd units or Kubernetes YAML',
  builder: (y) => {
    for (const c of GENERATE_SUBCOMMANDS) y.command(c);
    return y.demandCommand(1, 'Specify a generate command');
  },
  handler: () => {},
};
