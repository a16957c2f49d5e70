// husk compose version [--short] [--format json]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { COMPOSE_VERSION } from '../../engine/compose-service.js';
import { HUSK_VERSION } from '../../engine/version.js';
import { lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const composeVersionCommand: CommandModule<object, GlobalArgs & { short: boolean; format?: string }> = {
  command: 'version',
  describe: 'Show the compose version information',
  builder: (y) =>
    y.options({
      short: { type: 'boolean', default: false, describe: "Shows only Compose's version number" },
      format: { alias: 'f', type: 'string', coerce: lastWins, describe: 'pretty or json' },
    }) as never,
  handler: (argv) => {
    const version = `${COMPOSE_VERSION}-husk.${HUSK_VERSION}`;
    if (argv.format !== undefined && argv.format !== 'json' && argv.format !== 'pretty') throw new UsageError(`invalid --format "${argv.format}": use pretty or json`);
    if (argv.short) return printOut(`${version}\n`);
    printOut(argv.format === 'json' ? `${JSON.stringify({ version: `v${version}` })}\n` : `husk compose version v${version} (the compose of husk ${HUSK_VERSION}, following docker compose ${COMPOSE_VERSION})\n`);
  },
};
