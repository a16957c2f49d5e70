// husk info [--format json]
import type { CommandModule } from 'yargs';
import { hostInfo } from '../../engine/info.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const infoCommand: CommandModule<object, GlobalArgs & { format?: string }> = {
  command: 'info',
  describe: 'Show what this host supports and where husk keeps its state',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', describe: 'json' } }) as never,
  handler: (argv) => {
    const info = hostInfo(contextFrom(argv));
    printOut(argv.format === 'json' ? `${JSON.stringify(info, null, 2)}\n` : toYaml(info));
  },
};

/** The nested key: value layout podman prints. */
function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return value.map((v) => (typeof v === 'object' && v !== null ? `${indent}- ${toYaml(v, `${indent}  `).trimStart()}` : `${indent}- ${v}\n`)).join('');
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => {
        if (Array.isArray(v) && v.length === 0) return `${indent}${k}: []\n`;
        if (typeof v === 'object' && v !== null) return `${indent}${k}:\n${toYaml(v, `${indent}  `)}`;
        return `${indent}${k}: ${v}\n`;
      })
      .join('');
  }
  return `${indent}${String(value)}\n`;
}
