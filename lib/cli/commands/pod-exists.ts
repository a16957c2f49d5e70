// husk pod exists POD: exit 0 if it does, 1 if not.
import type { CommandModule } from 'yargs';
import { podExists } from '../../engine/pods.js';
import { contextFrom, type GlobalArgs } from '../common.js';

export const podExistsCommand: CommandModule<object, GlobalArgs & { pod: string }> = {
  command: 'exists <pod>',
  describe: 'Check if a pod exists (exit code 0) or not (1)',
  handler: (argv) => {
    process.exitCode = podExists(contextFrom(argv), argv.pod) ? 0 : 1;
  },
};
