// registries.conf parsing (search list, aliases, locations, mirrors) and short-name candidates.
import t from 'tap';
import { parseRegistriesConf, registryEntryFor, type RegistriesConf } from '../../lib/image/registries-conf.js';
import { resolveShortName, shortNameCandidates } from '../../lib/image/short-names.js';
import { SILENT_UI, type UserInterface } from '../../lib/core/context.js';
import { pullSources } from '../../lib/image/registry/connect.js';
import { formatReference, parseReference } from '../../lib/image/reference.js';

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
  t.same(registryEntryFor(conf, 'example.com/team/x'), { prefix: 'example.com/team', location: 'mirror.example.com/team', insecure: true, blocked: false, mirrors: [] });
  t.equal(registryEntryFor(conf, 'blocked.example.com/a')?.blocked, true);
  t.equal(registryEntryFor(conf, 'example.com/other'), undefined, 'a prefix covers only its own path');
  t.throws(() => parseRegistriesConf('unqualified-search-registries = [', 'bad.conf', empty()), /bad\.conf/);
});

t.test('mirrors and locations: the sources of a pull, in order', async (t) => {
  const conf = empty();
  parseRegistriesConf(
    [
      '[[registry]]',
      'prefix = "docker.io"',
      'location = "docker.io"',
      '[[registry.mirror]]',
      'location = "mirror.local:5000/hub"',
      'insecure = true',
      '[[registry.mirror]]',
      'location = "digests.local"',
      'pull-from-mirror = "digest-only"',
      '[[registry]]',
      'prefix = "old.example.com/team"',
      'location = "new.example.com/people"',
    ].join('\n'),
    'm.conf',
    conf,
  );
  const names = (ref: string) => pullSources(parseReference(ref), conf).map((s) => `${formatReference(s.ref)}${s.mirror ? ' (mirror)' : ''}${s.insecure ? ' insecure' : ''}`);
  t.same(names('busybox:1'), ['mirror.local:5000/hub/library/busybox:1 (mirror) insecure', 'docker.io/library/busybox:1']);
  const digest = `sha256:${'a'.repeat(64)}`;
  t.same(names(`busybox@${digest}`), [`mirror.local:5000/hub/library/busybox@${digest} (mirror) insecure`, `digests.local/library/busybox@${digest} (mirror)`, `docker.io/library/busybox@${digest}`]);
  t.same(names('old.example.com/team/app:2'), ['new.example.com/people/app:2'], 'the location replaces the prefix');
  t.same(names('quay.io/x/y:1'), ['quay.io/x/y:1'], 'no entry: the name itself');
  t.throws(() => parseRegistriesConf('[[registry]]\nprefix = "a.io"\n[[registry.mirror]]\ninsecure = true\n', 'n.conf', empty()), /n\.conf: a \[\[registry\.mirror\]\] without a location/);
  t.throws(() => parseRegistriesConf('[[registry]]\nprefix = "a.io"\n[[registry.mirror]]\nlocation = "b.io"\npull-from-mirror = "sometimes"\n', 'p.conf', empty()), /pull-from-mirror = "sometimes"/);
  t.throws(() => parseRegistriesConf('[[registry]]\nprefix = "a.io"\nlocation = { host = "b.io" }\n', 'l.conf', empty()), /l\.conf: \[\[registry\]\] location must be a string/, 'not "[object Object]"');
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
  t.equal(await resolveShortName('alpine', one, SILENT_UI), 'docker.io/library/alpine:latest');
  const two = { ...empty(), unqualifiedSearchRegistries: ['docker.io', 'quay.io'] };
  await t.rejects(resolveShortName('alpine', two, SILENT_UI), /ambiguous.*docker\.io\/library\/alpine:latest, quay\.io\/alpine:latest/);
  await t.rejects(resolveShortName('alpine', empty(), SILENT_UI), /no unqualified-search registries/);
});

t.test('resolveShortName asks the user to choose among several', async (t) => {
  const two = { ...empty(), unqualifiedSearchRegistries: ['docker.io', 'quay.io'] };
  const asked: Array<[string, string[]]> = [];
  const answering = (answer: string): UserInterface => ({
    progress: () => {},
    choose: async (question, choices) => (asked.push([question, choices]), answer),
  });
  t.equal(await resolveShortName('alpine', two, answering('quay.io/alpine:latest')), 'quay.io/alpine:latest', 'the choice');
  t.same(asked, [['Please select an image for "alpine"', ['docker.io/library/alpine:latest', 'quay.io/alpine:latest']]], 'asked once, best first');
  await t.rejects(resolveShortName('alpine', two, answering('')), /no image chosen for "alpine"/, 'no answer');
});
