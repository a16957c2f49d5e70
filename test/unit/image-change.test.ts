import t from 'tap';
import { applyChange, parseCommandForm, parseKeyValues, splitWords } from '../../lib/image/change.js';
import type { ImageRuntimeConfig } from '../../lib/image/types.js';
import { usageError } from './fixtures/helpers.js';

function changed(change: string, config: ImageRuntimeConfig = {}): ImageRuntimeConfig {
  applyChange(config, change);
  return config;
}

t.test('CMD and ENTRYPOINT: JSON form', async (t) => {
  t.same(changed('CMD ["echo", "hello world"]'), { Cmd: ['echo', 'hello world'] });
  t.same(changed('ENTRYPOINT ["/bin/app","--flag"]'), { Entrypoint: ['/bin/app', '--flag'] });
  t.same(changed('CMD []'), { Cmd: [] });
  // Replaces, does not append.
  t.same(changed('CMD ["b"]', { Cmd: ['a'] }), { Cmd: ['b'] });
});

t.test('CMD and ENTRYPOINT: shell form runs /bin/sh -c', async (t) => {
  t.same(changed('CMD echo hello   world'), { Cmd: ['/bin/sh', '-c', 'echo hello   world'] });
  t.same(changed('ENTRYPOINT exec app "$HOME"'), { Entrypoint: ['/bin/sh', '-c', 'exec app "$HOME"'] });
  // Not valid JSON, or not an array of strings: shell form, as docker does.
  t.same(changed('CMD [echo, hi]'), { Cmd: ['/bin/sh', '-c', '[echo, hi]'] });
  t.same(changed('CMD ["sleep", 10]'), { Cmd: ['/bin/sh', '-c', '["sleep", 10]'] });
  t.same(changed('CMD {"a": 1}'), { Cmd: ['/bin/sh', '-c', '{"a": 1}'] });
});

t.test('parseCommandForm', async (t) => {
  t.same(parseCommandForm('  ["a"]  '), ['a']);
  t.same(parseCommandForm('  ls -l  '), ['/bin/sh', '-c', 'ls -l']);
  t.same(parseCommandForm('["a"'), ['/bin/sh', '-c', '["a"']);
});

t.test('instructions are case-insensitive and may have leading blanks', async (t) => {
  t.same(changed('cmd ["x"]'), { Cmd: ['x'] });
  t.same(changed('  Workdir   /srv  '), { WorkingDir: '/srv' });
});

t.test('ENV: NAME=VALUE form', async (t) => {
  t.same(changed('ENV A=1 B="two words" C=\'x y\' D=a\\ b E='), { Env: ['A=1', 'B=two words', 'C=x y', 'D=a b', 'E='] });
  t.same(changed('ENV URL=http://h/?a=b'), { Env: ['URL=http://h/?a=b'] });
});

t.test('ENV: legacy "NAME value with spaces" form', async (t) => {
  t.same(changed('ENV GREETING hello   big world'), { Env: ['GREETING=hello   big world'] });
  t.same(changed('ENV OPTS a=b c=d'), { Env: ['OPTS=a=b c=d'] });
});

t.test('ENV replaces an existing key in place and keeps the others', async (t) => {
  const config: ImageRuntimeConfig = { Env: ['PATH=/bin', 'A=old', 'AB=keep'] };
  applyChange(config, 'ENV A=new C=3');
  t.same(config.Env, ['PATH=/bin', 'A=new', 'AB=keep', 'C=3']);
  applyChange(config, 'ENV PATH /usr/bin:/bin');
  t.same(config.Env, ['PATH=/usr/bin:/bin', 'A=new', 'AB=keep', 'C=3']);
  t.same(changed('ENV A=1 A=2'), { Env: ['A=2'] });
});

t.test('ENV: bad input', async (t) => {
  usageError(t, () => changed('ENV A'), 'ENV needs a name and a value: "A"');
  usageError(t, () => changed('ENV A=1 B'), 'ENV "B" must be NAME=VALUE');
  usageError(t, () => changed('ENV =x'), 'ENV "=x" must be NAME=VALUE');
  usageError(t, () => changed('ENV A="unterminated'), 'unterminated quote in "A="unterminated"');
});

t.test('LABEL merges into the existing labels', async (t) => {
  t.same(changed('LABEL a=b "c d"=e f=g=h', { Labels: { a: 'old', keep: 'yes' } }), { Labels: { a: 'b', keep: 'yes', 'c d': 'e', f: 'g=h' } });
  t.same(changed('LABEL maintainer someone <me@example.com>', { Labels: null }), { Labels: { maintainer: 'someone <me@example.com>' } });
  usageError(t, () => changed('LABEL x'), 'LABEL needs a name and a value: "x"');
  usageError(t, () => changed('LABEL a=1 b'), 'LABEL "b" must be NAME=VALUE');
});

t.test('EXPOSE adds /tcp unless a protocol is given', async (t) => {
  t.same(changed('EXPOSE 80 443/udp  8080/tcp'), { ExposedPorts: { '80/tcp': {}, '443/udp': {}, '8080/tcp': {} } });
  t.same(changed('EXPOSE 53', { ExposedPorts: { '22/tcp': {} } }), { ExposedPorts: { '22/tcp': {}, '53/tcp': {} } });
});

t.test('VOLUME: words or a JSON array', async (t) => {
  t.same(changed('VOLUME /data "/with space"'), { Volumes: { '/data': {}, '/with space': {} } });
  t.same(changed('VOLUME ["/a", "/b"]', { Volumes: { '/old': {} } }), { Volumes: { '/old': {}, '/a': {}, '/b': {} } });
});

t.test('VOLUME with a bracketed non-JSON argument', async (t) => {
  t.same(changed('VOLUME [/data]'), { Volumes: { '[/data]': {} } });
});

t.test('USER, WORKDIR, STOPSIGNAL take their argument verbatim', async (t) => {
  t.same(changed('USER app:staff'), { User: 'app:staff' });
  t.same(changed('USER 1000'), { User: '1000' });
  t.same(changed('WORKDIR /srv/my app'), { WorkingDir: '/srv/my app' });
  t.same(changed('STOPSIGNAL SIGINT'), { StopSignal: 'SIGINT' });
  t.same(changed('STOPSIGNAL 9', { StopSignal: 'SIGTERM' }), { StopSignal: '9' });
});

t.test('HEALTHCHECK: options, then CMD in exec or shell form; NONE', async (t) => {
  t.same(changed('HEALTHCHECK CMD wget -q localhost || exit 1'), { Healthcheck: { Test: ['CMD-SHELL', 'wget -q localhost || exit 1'] } });
  t.same(changed('HEALTHCHECK --interval=5s --timeout=2s --start-period=1m30s --retries=4 CMD ["true", "x"]'), {
    Healthcheck: { Test: ['CMD', 'true', 'x'], Interval: 5e9, Timeout: 2e9, StartPeriod: 90e9, Retries: 4 },
  }, 'durations in nanoseconds, as docker writes them');
  t.same(changed('healthcheck none', { Healthcheck: { Test: ['CMD', 'x'] } }), { Healthcheck: { Test: ['NONE'] } }, 'NONE turns off an inherited check');
  usageError(t, () => changed('HEALTHCHECK --interval=5 CMD true'), 'invalid HEALTHCHECK "--interval=5 CMD true": --interval takes a duration such as 30s, not "5"');
  usageError(t, () => changed('HEALTHCHECK --retries=x CMD true'), '--retries must be a whole number, not "x"');
  usageError(t, () => changed('HEALTHCHECK --bogus=1 CMD true'), 'unknown option --bogus');
  usageError(t, () => changed('HEALTHCHECK --interval=5s'), 'give NONE, or CMD and a command after the options');
  usageError(t, () => changed('HEALTHCHECK CMD []'), 'CMD [] runs nothing');
});

t.test('unknown instructions are refused with the list of supported ones', async (t) => {
  const list = 'must be one of CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR followed by its arguments';
  usageError(t, () => changed('RUN apt-get update'), `invalid --change "RUN apt-get update": ${list}`);
  usageError(t, () => changed('FROM scratch'), 'invalid --change "FROM scratch"');
  usageError(t, () => changed(''), `invalid --change "": ${list}`);
  usageError(t, () => changed('   '), 'invalid --change "   "');
  usageError(t, () => changed('["ls"]'), 'invalid --change "["ls"]"');
});

t.test('a missing argument is refused', async (t) => {
  for (const ins of ['CMD', 'ENTRYPOINT', 'ENV', 'LABEL', 'EXPOSE', 'VOLUME', 'USER', 'WORKDIR', 'STOPSIGNAL', 'HEALTHCHECK']) {
    usageError(t, () => changed(ins), `invalid --change "${ins}": ${ins} needs an argument`);
  }
  usageError(t, () => changed('user   '), 'invalid --change "user   ": USER needs an argument');
  const config: ImageRuntimeConfig = { User: 'keep' };
  usageError(t, () => applyChange(config, 'USER'), 'USER needs an argument');
  t.same(config, { User: 'keep' }, 'config untouched on error');
});

t.test('splitWords', async (t) => {
  t.same(splitWords('a  b\tc\nd'), ['a', 'b', 'c', 'd']);
  t.same(splitWords('  '), []);
  t.same(splitWords(''), []);
  t.same(splitWords('"a b" \'c d\''), ['a b', 'c d']);
  t.same(splitWords('x"y z"w'), ['xy zw']);
  t.same(splitWords('a\\ b c'), ['a b', 'c']);
  t.same(splitWords('"q\\"q" \'s\\q\''), ['q"q', 's\\q'], 'backslash escapes inside double quotes only');
  t.same(splitWords('"" \'\''), ['', ''], 'empty quoted words are words');
  t.same(splitWords('trailing\\'), ['trailing\\'], 'a final lone backslash is kept');
  usageError(t, () => splitWords('"open'), 'unterminated quote in ""open"');
  usageError(t, () => splitWords("it's"), 'unterminated quote');
});

t.test('parseKeyValues', async (t) => {
  t.same(parseKeyValues(' A=1  B=2 ', 'ENV'), [['A', '1'], ['B', '2']]);
  t.same(parseKeyValues('A "x y"', 'ENV'), [['A', '"x y"']], 'legacy form keeps the rest verbatim');
  t.same(parseKeyValues('A=', 'X'), [['A', '']]);
  usageError(t, () => parseKeyValues('lonely', 'THING'), 'THING needs a name and a value: "lonely"');
  usageError(t, () => parseKeyValues('A=1 =2', 'THING'), 'THING "=2" must be NAME=VALUE');
});
