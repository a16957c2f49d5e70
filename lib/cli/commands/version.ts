// husk version [--format json|TEMPLATE]
import type { CommandModule } from 'yargs';
import { versionInfo } from '../../engine/version.js';
import { parseTemplate } from '../format.js';
import { versionTemplateData } from '../info-view.js';
import { printOut } from '../output.js';

export const versionCommand: CommandModule<object, { format?: string }> = {
  command: 'version',
  describe: 'Show husk version information',
  builder: (y) => y.options({ format: { alias: 'f', type: 'string', describe: 'json, or a template such as "{{.Client.Version}}"' } }) as never,
  handler: (argv) => {
    const format = argv.format === undefined ? undefined : parseTemplate(argv.format, { table: false });
    const info = versionInfo();
    if (format?.kind === 'json') printOut(`${JSON.stringify({ Client: info }, null, 2)}\n`);
    else if (format) printOut(`${format.template.execute(versionTemplateData(info))}\n`);
    else printOut(`Version:      ${info.Version}\nAPI Version:  ${info.APIVersion}\nNode Version: ${info.NodeVersion}\nOS/Arch:      ${info.OsArch}\n`);
  },
};
