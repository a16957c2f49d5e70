// registries.conf parsing and short-name candidates.
import t from 'tap';
import { parseRegistriesConf, registryEntryFor, type RegistriesConf } from '../../lib/image/registries-conf.js';
import { resolveShortName, shortNameCandidates } from '../../lib/image/short-names.js';

const empty = (): RegistriesConf => ({ unqualifiedSearchRegistries: [], registries: [], aliases: {} });

t.test('parseRegistriesConf: search list, registries, aliases; later files win', async (t) => {
  const conf = empty();
  parseRegistriesConf(
    `unqualified-search-registries = ["docker.io", "quay.io"]\n[[registry]]\nprefix = "example.com/team"\nlocation = "mirror.example.com/team"\ninsecure = true\n[aliases]\n"app" = "quay.io/team/app"\n`,
    'a.conf',
    conf,
  );
  parseRegistriesConf(`[[registry]]\nlocation = "blocked.example.com"\nblocked = true\n[aliases]\n"other" = "docker.io/library/other"\n`, 'b.conf', conf);
  t.same(conf.unqualifiedSearchRegistries, ['docker.io', 'quay.io']);
  t.same(conf.aliases, { app: 'quay.io/team/app', other: 'docker.io/library/other' });
  t.same(registryEntryFor(conf, 'example.com/team/x'), { prefix: 'example.com/team', location: 'mirror.example.com/team', insecure: true, blocked: false });
  t.equal(registryEntryFor(conf, 'blocked.example.com/a')?.blocked, true);
  t.equal(registryEntryFor(conf, 'example.com/other'), undefined, 'a prefix covers only its own path');
  t.throws(() => parseRegistriesConf('unqualified-search-registries = [', 'bad.conf', empty()), /bad\.conf/);
});

t.test('shortNameCandidates', async (t) => {
  const conf = { ...empty(), unqualifiedSearchRegistries: ['docker.io', 'quay.io'], aliases: { app: 'quay.io/team/app' } };
  t.same(shortNameCandidates('alpine', conf), ['docker.io/library/alpine:latest', 'quay.io/alpine:latest']);
  t.same(shortNameCandidates('team/x:1', conf), ['docker.io/team/x:1', 'quay.io/team/x:1']);
  t.same(shortNameCandidates('app:2', conf), ['quay.io/team/app:2'], 'an alias keeps the tag');
  t.same(shortNameCandidates('quay.io/a/b', conf), ['quay.io/a/b'], 'a full name is itself');
  t.same(shortNameCandidates('alpine', empty()), []);
});

t.test('resolveShortName', async (t) => {
  const one = { ...empty(), unqualifiedSearchRegistries: ['docker.io'] };
  t.equal(await resolveShortName('alpine', one, false), 'docker.io/library/alpine:latest');
  const two = { ...empty(), unqualifiedSearchRegistries: ['docker.io', 'quay.io'] };
  await t.rejects(resolveShortName('alpine', two, false), /ambiguous.*docker\.io\/library\/alpine:latest, quay\.io\/alpine:latest/);
  await t.rejects(resolveShortName('alpine', empty(), false), /no unqualified-search registries/);
});
