// husk kube <command>: Kubernetes YAML of pods and containers, and pods from it.
import type { CommandModule } from 'yargs';
import { kubeDownCommand } from './kube-down.js';
import { kubeGenerateCommand } from './kube-generate.js';
import { kubePlayCommand } from './kube-play.js';

export const kubeCommand: CommandModule = {
  command: 'kube',
  describe: 'Play Kubernetes YAML, generate it from pods and containers',
  builder: (y) => {
    for (const c of [kubePlayCommand, kubeDownCommand, kubeGenerateCommand]) y.command(c as CommandModule);
    return y.demandCommand(1, 'Specify a kube command');
  },
  handler: () => {},
};
