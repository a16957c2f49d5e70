// husk version
import os from 'node:os';
import type { CommandModule } from 'yargs';
import { HUSK_VERSION } from '../../engine/version.js';
import { printOut } from '../output.js';

export const versionCommand: CommandModule<object, { format?: string }> = {
  command: 'version',
  describe: 'Show husk version information',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', describe: 'json' } }) as never,
  handler: (argv) => {
    const info = { Version: HUSK_VERSION, NodeVersion: process.version, OsArch: `${os.platform()}/${process.arch === 'x64' ? 'amd64' : process.arch}` };
    if (argv.format === 'json') {
      printOut(`${JSON.stringify({ Client: info }, null, 2)}\n`);
      return;
    }
    printOut(`Version:      ${info.Version}\nNode Version: ${info.NodeVersion}\nOS/Arch:      ${info.OsArch}\n`);
  },
};
