// husk secret inspect [--format F] [--showsecret] NAME...
import type { CommandModule } from 'yargs';
import { exitCodeFor } from '../../core/errors.js';
import { findSecret, secretData } from '../../engine/secrets.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

interface SecretView {
  ID: string;
  CreatedAt: string;
  UpdatedAt: string;
  Spec: { Name: string; Driver: { Name: string; Options: Record<string, string> }; Labels: Record<string, string> };
  SecretData?: string;
}

type InspectArgs = GlobalArgs & { secrets: string[]; format?: string; showsecret: boolean; pretty: boolean };

export const secretInspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <secrets..>',
  describe: 'Show details of secrets, as JSON',
  builder: (y) =>
    y.options({
      format: { alias: 'f', type: 'string', describe: 'A template such as "{{.Spec.Name}}"' },
      showsecret: { type: 'boolean', default: false, describe: 'Show the secret\'s data too (SecretData)' },
      pretty: { type: 'boolean', default: false, describe: 'Print in a readable form' },
    }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const found: SecretView[] = [];
    for (const ref of argv.secrets) {
      try {
        const s = findSecret(ctx, ref);
        found.push({
          ID: s.id,
          CreatedAt: s.createdAt,
          UpdatedAt: s.updatedAt,
          Spec: { Name: s.name, Driver: { Name: 'file', Options: {} }, Labels: s.labels },
          ...(argv.showsecret ? { SecretData: secretData(ctx, s).toString('utf8') } : {}),
        });
      } catch (err) {
        process.stderr.write(`Error: ${(err as Error).message}\n`);
        process.exitCode = exitCodeFor(err);
      }
    }
    if (argv.pretty) printOut(found.map((s) => `ID:\t${s.ID}\nName:\t${s.Spec.Name}\nDriver:\tfile\nCreated at:\t${s.CreatedAt}\nUpdated at:\t${s.UpdatedAt}\n`).join('\n'));
    else if (argv.format && argv.format !== 'json') printOut(renderRows(argv.format, found as unknown as Row[]));
    else printOut(`${JSON.stringify(found, null, 4)}\n`);
  },
};
