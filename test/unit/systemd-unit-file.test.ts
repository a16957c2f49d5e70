import t from 'tap';
import { UnitFile } from '../../lib/systemd/unit-file.js';

const TEXT = `# a comment first
[Unit]
Description=web

[Container]
Image=busybox
Exec=sh -c \\
  'echo "a b"'
# inside
Environment=A=1 "B=two words"
Environment=C
Label=x=1
Label=
Label=y=2
Name="quoted"
Flag=Yes
`;

t.test('groups, keys in order, continued lines, an empty value resets the list, quotes', async (t) => {
  const u = UnitFile.parse(TEXT, 'web.container', '/etc/containers/systemd/web.container');
  t.same(u.keys('Container'), ['Image', 'Exec', 'Environment', 'Label', 'Name', 'Flag']);
  t.same(u.lookupLastArgs('Container', 'Exec'), ['sh', '-c', 'echo "a b"']);
  t.same(u.lookupAllKeyVal('Container', 'Environment'), [['A', '1'], ['B', 'two words'], ['C', undefined]]);
  t.same(u.lookupAllRaw('Container', 'Label'), ['y=2'], 'Label= dropped the ones before');
  t.equal(u.lookup('Container', 'Name'), 'quoted');
  t.equal(u.lookupBoolean('Container', 'Flag'), true);
  t.equal(u.lookupBoolean('Container', 'Nope'), undefined);
  t.ok(u.hasGroup('Unit'));
});

t.test('written back: groups renamed, keys set, added, prepended', async (t) => {
  const u = UnitFile.parse(TEXT, 'web.container');
  u.renameGroup('Container', 'X-Container');
  u.prepend('Unit', 'After', 'network-online.target');
  u.add('Service', 'ExecStart', '/bin/true');
  u.set('Unit', 'Description', 'new');
  u.unset('X-Container', 'Label');
  const text = u.toString();
  t.match(text, /^# a comment first\n\n\[Unit\]\nAfter=network-online.target\nDescription=new\n\n\[X-Container\]\nImage=busybox\n/);
  t.match(text, /\n\[Service\]\nExecStart=\/bin\/true\n$/);
  t.notMatch(text, /Label=/);
});

t.test('drop-ins add their keys after the file\'s', async (t) => {
  const u = UnitFile.parse('[Container]\nImage=a\n', 'x.container');
  u.merge(UnitFile.parse('[Container]\nImage=b\nLabel=z=1\n', '10-override.conf'));
  t.equal(u.lookup('Container', 'Image'), 'b');
  t.same(u.lookupAllRaw('Container', 'Label'), ['z=1']);
});

t.test('what is not a unit file is an error naming the line', async (t) => {
  t.throws(() => UnitFile.parse('Image=x\n', 'a.container'), /line 1: a key outside of any \[Group\]/);
  t.throws(() => UnitFile.parse('[Container\nImage=x\n', 'a.container'), /line 1: invalid group header/);
  t.throws(() => UnitFile.parse('[Container]\nno equals sign\n', 'a.container'), /line 2: expected KEY=VALUE/);
  t.throws(() => UnitFile.parse('[Container]\nBad Key=1\n', 'a.container'), /invalid key name "Bad Key"/);
});
