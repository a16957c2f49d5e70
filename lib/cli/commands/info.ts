// husk info [--format json|TEMPLATE]
import type { CommandModule } from 'yargs';
import { hostInfo } from '../../engine/info.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { parseTemplate } from '../format.js';
import { infoTemplateData } from '../info-view.js';
import { printOut } from '../output.js';

export const infoCommand: CommandModule<object, GlobalArgs & { format?: string }> = {
  command: 'info',
  describe: 'Show what this host supports and where husk keeps its state',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', describe: 'json, or a template such as "{{.Host.Arch}} {{.Store.GraphRoot}}"' } }) as never,
  handler: (argv) => {
    // A bad template fails before the probes run.
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format, { table: false });
    const info = hostInfo(contextFrom(argv));
    if (format?.kind === 'json') printOut(`${JSON.stringify(info, null, 2)}\n`);
    else if (format) printOut(`${format.template.execute(infoTemplateData(info))}\n`);
    else printOut(toYaml(info));
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
        if (v !== null && typeof v === 'object' && Object.keys(v as object).length === 0) return `${indent}${k}: {}\n`;
        if (typeof v === 'object' && v !== null) return `${indent}${k}:\n${toYaml(v, `${indent}  `)}`;
        return `${indent}${k}: ${v}\n`;
      })
      .join('');
  }
  return `${indent}${String(value)}\n`;
}
