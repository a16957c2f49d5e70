// husk search [--limit N] [--tls-verify] [--format json] TERM
import type { CommandModule } from 'yargs';
import { search } from '../../engine/registry.js';
import { table, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type SearchArgs = GlobalArgs & { term: string; limit: number; tlsVerify?: boolean; format?: string };

export const searchCommand: CommandModule<object, SearchArgs> = {
  command: 'search <term>',
  describe: 'Search a registry for images (REGISTRY/TERM searches that registry)',
  builder: (y) =>
    y.options({
      limit: { type: 'number', default: 25, describe: 'At most this many results' },
      // No default: without the flag, registries.conf's `insecure` decides, as for pull and push.
      'tls-verify': { type: 'boolean', describe: 'Require HTTPS and verify certificates (false: allow http and unverified TLS)' },
      format: { type: 'string', describe: 'json' },
    }) as never,
  handler: async (argv) => {
    const results = await search(String(argv.term), { limit: argv.limit, tlsVerify: argv.tlsVerify });
    if (argv.format === 'json') {
      printOut(`${JSON.stringify(results.map((r) => ({ Name: r.name, Description: r.description, Stars: r.stars, Official: r.official ? '[OK]' : '' })), null, 2)}\n`);
      return;
    }
    printOut(table(['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], results.map((r) => [r.name, r.description, String(r.stars), r.official ? '[OK]' : ''])));
  },
};
