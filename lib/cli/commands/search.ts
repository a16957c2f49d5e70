// husk search [--limit N] [--filter K=V]... [--format F] [--no-trunc] [--list-tags] [--tls-verify] TERM
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { listTags, search, type SearchResult } from '../../engine/registry.js';
import { ignoredFlag } from '../compat.js';
import { contextFrom, table, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';

type SearchArgs = GlobalArgs & RegistryArgs & { term: string; limit: number; format?: string; filter: string[]; trunc: boolean; listTags: boolean; noheading: boolean };

interface SearchFilter {
  stars?: number;
  official?: boolean;
  automated?: boolean;
}

export const searchCommand: CommandModule<object, SearchArgs> = {
  command: 'search <term>',
  describe: 'Search a registry for images (REGISTRY/TERM searches that registry)',
  builder: (y) =>
    y.options({
      limit: { type: 'number', default: 25, describe: 'At most this many results' },
      ...REGISTRY_OPTIONS,
      format: { type: 'string', describe: 'json, or a template such as "table {{.Name}}\\t{{.Stars}}" (Index, Name, Description, Stars, Official, Automated, Tag)' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'Filter: stars=N, is-official=true|false, is-automated=true|false' },
      // --no-trunc negates --trunc.
      trunc: { type: 'boolean', default: true, describe: 'Truncate descriptions to 44 characters (--no-trunc: show them whole)' },
      'list-tags': { type: 'boolean', default: false, describe: 'List the tags of the repository named (a whole reference)' },
      noheading: { alias: 'n', type: 'boolean', default: false, describe: 'Do not print the column headings' },
      compatible: ignoredFlag('compatible', 'boolean', 'husk always shows the STARS and OFFICIAL columns docker shows'),
    }) as never,
  handler: async (argv) => {
    const filter = parseSearchFilters(argv.filter);
    const rows = argv.listTags ? await tagRows(argv) : (await search(String(argv.term), { limit: argv.limit, tlsVerify: argv.tlsVerify })).filter((r) => keep(r, filter)).map((r) => rowOf(r, argv.trunc));
    if (argv.format === 'json') {
      printOut(`${JSON.stringify(argv.listTags ? [{ Name: rows[0]?.Name ?? '', Tags: rows.map((r) => r.Tag) }] : rows, null, 4)}\n`);
      return;
    }
    let out: string;
    if (argv.format) {
      out = renderRows(argv.format, rows);
      if (!argv.format.startsWith('table')) return printOut(out);
    } else if (argv.listTags) {
      out = table(['NAME', 'TAG'], rows.map((r) => [String(r.Name), String(r.Tag)]));
    } else {
      out = table(['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], rows.map((r) => [String(r.Name), String(r.Description), String(r.Stars), String(r.Official)]));
    }
    printOut(argv.noheading ? out.slice(out.indexOf('\n') + 1) : out);
  },
};

async function tagRows(argv: SearchArgs): Promise<Row[]> {
  const { ref, tags } = await listTags(contextFrom(argv), String(argv.term), accessFrom(argv));
  const name = `${ref.registry}/${ref.repository}`;
  return tags.slice(0, argv.limit).map((tag) => ({ Name: name, Tag: tag }));
}

function rowOf(r: SearchResult, trunc: boolean): Row {
  const description = trunc && r.description.length > 44 ? `${r.description.slice(0, 41)}...` : r.description;
  return { Index: r.name.split('/')[0], Name: r.name, Description: description, Stars: r.stars, Official: r.official ? '[OK]' : '', Automated: '', Tag: '' };
}

function parseSearchFilters(filters: string[]): SearchFilter {
  const f: SearchFilter = {};
  for (const raw of filters) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    if (key === 'stars' && /^\d+$/.test(value)) f.stars = Number(value);
    else if ((key === 'is-official' || key === 'is-automated') && (value === 'true' || value === 'false')) f[key === 'is-official' ? 'official' : 'automated'] = value === 'true';
    else throw new UsageError(`invalid filter "${raw}": use stars=N, is-official=true|false or is-automated=true|false`);
  }
  return f;
}

function keep(r: SearchResult, f: SearchFilter): boolean {
  if (f.stars !== undefined && r.stars < f.stars) return false;
  if (f.official !== undefined && r.official !== f.official) return false;
  // Registries' catalogs know no automated builds: none is one.
  return f.automated !== true;
}
