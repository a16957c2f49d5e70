// husk machine ...: podman's virtual machines for hosts without Linux
// containers. husk runs containers on this Linux host only: every
// subcommand says so and fails (exit 125).
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';

const WHY = 'husk runs containers directly on this Linux host: it has no virtual machines (podman machine)';

const SUBCOMMANDS = ['info', 'init', 'inspect', 'list', 'os', 'reset', 'rm', 'set', 'ssh', 'start', 'stop', 'cp'];

const refused = (name: string): CommandModule => ({
  command: `${name} [args..]`,
  aliases: name === 'list' ? ['ls'] : name === 'rm' ? ['remove'] : [],
  describe: `Not supported: ${WHY}`,
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }),
  handler: () => {
    throw new UsageError(`husk machine ${name} is not supported: ${WHY}`);
  },
});

export const machineCommand: CommandModule = {
  command: 'machine [args..]',
  describe: 'Not supported: husk has no virtual machines',
  builder: (y) => {
    for (const name of SUBCOMMANDS) y.command(refused(name));
    return y.parserConfiguration({ 'unknown-options-as-args': true });
  },
  handler: () => {
    throw new UsageError(`husk machine is not supported: ${WHY}`);
  },
};
