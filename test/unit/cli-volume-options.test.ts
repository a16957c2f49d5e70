// -v, --mount, --tmpfs and --volumes-from parsing (lib/cli/volume-options.ts),
// the volume driver options, and the mount plan's spec entries.
import path from 'node:path';
import t from 'tap';
import { mountOptions, parseMountFlag, parseTmpfsFlag, parseVolumeFlag, parseVolumesFrom } from '../../lib/cli/volume-options.js';
import { checkVolumeOptions } from '../../lib/runtime/volume-store.js';
import { tempDir, usageError } from './fixtures/helpers.js';

t.test('-v: host paths, names, anonymous volumes', async (t) => {
  const dir = tempDir(t);
  t.same(parseVolumeFlag(`${dir}:/data`), { type: 'bind', source: dir, destination: '/data', rw: true, options: ['rbind'] });
  t.same(parseVolumeFlag('vol:/data/'), { type: 'volume', source: 'vol', destination: '/data', rw: true, options: ['rbind'] }, 'a trailing slash goes');
  t.same(parseVolumeFlag('/data'), { type: 'volume', source: '', destination: '/data', rw: true, options: ['rbind'] }, 'anonymous');
  t.same(parseVolumeFlag('/data:ro'), { type: 'volume', source: '', destination: '/data', rw: false, options: ['rbind'] }, 'podman\'s /dest:opts');
  const rel = path.relative(process.cwd(), dir);
  t.equal(parseVolumeFlag(`./${rel}:/x`).source, dir, 'a path starting with "." is relative to the working directory');
});

t.test('-v: options', async (t) => {
  const dir = tempDir(t);
  const m = parseVolumeFlag(`${dir}:/x:ro,z,Z,U,nosuid,bind,rshared`);
  t.same(m, { type: 'bind', source: dir, destination: '/x', rw: false, options: ['bind', 'nosuid', 'rshared'], chown: true });
  t.equal(parseVolumeFlag('v:/x:nocopy').noCopy, true);
  usageError(t, () => parseVolumeFlag(`${dir}:/x:nocopy`), /nocopy applies to volumes/);
  usageError(t, () => parseVolumeFlag('v:/x:ro,rw'), /only once/);
  usageError(t, () => parseVolumeFlag('v:/x:shared,private'), /only one propagation/);
  usageError(t, () => parseVolumeFlag('v:/x:O'), /unknown option "O"/);
  usageError(t, () => parseVolumeFlag('v:/x:ro,'), /empty option/);
});

t.test('-v: bad specs', async (t) => {
  usageError(t, () => parseVolumeFlag('/no/such/husk/dir:/x'), /statfs \/no\/such\/husk\/dir: no such file or directory/);
  usageError(t, () => parseVolumeFlag(':/x'), /empty part/);
  usageError(t, () => parseVolumeFlag('v:'), /empty part/);
  usageError(t, () => parseVolumeFlag(''), /empty part/);
  usageError(t, () => parseVolumeFlag('v:x'), /container path "x" must be absolute/);
  usageError(t, () => parseVolumeFlag('v:/'), /root/);
  usageError(t, () => parseVolumeFlag('v:/a:ro:x'), /too many/);
  usageError(t, () => parseVolumeFlag('-v:/a'), /not a volume name/);
});

t.test('--mount', async (t) => {
  const dir = tempDir(t);
  t.same(parseMountFlag(`type=bind,src=${dir},dst=/b,readonly,bind-propagation=rslave`), {
    type: 'bind', source: dir, destination: '/b', rw: false, options: ['rbind', 'rslave'], chown: false,
  });
  t.same(parseMountFlag(`type=bind,source=${dir},target=/b,bind-nonrecursive,ro=false`).options, ['bind']);
  t.match(parseMountFlag('type=volume,src=v,dst=/v,volume-opt=o=uid=1,volume-label=a=b,volume-nocopy'), {
    type: 'volume', source: 'v', noCopy: true, volumeOptions: { o: 'uid=1' }, volumeLabels: { a: 'b' },
  });
  t.match(parseMountFlag('destination=/v'), { type: 'volume', source: '' }, 'type defaults to volume; no source: anonymous');
  t.same(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1777'), {
    type: 'tmpfs', source: 'tmpfs', destination: '/t', rw: true, options: ['nosuid', 'nodev', 'noexec', 'size=64m', 'mode=1777'],
  });
  t.match(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=1048576').options, ['nosuid', 'nodev', 'noexec', 'size=1048576']);
  usageError(t, () => parseMountFlag('type=bind,dst=/x'), /needs source/);
  usageError(t, () => parseMountFlag('type=volume,src=v'), /destination .* is required/);
  usageError(t, () => parseMountFlag('type=image,src=v,dst=/x'), /not supported/);
  usageError(t, () => parseMountFlag('type=tmpfs,dst=/x,tmpfs-mode=999'), /octal/);
  usageError(t, () => parseMountFlag('type=tmpfs,dst=/x,tmpfs-size=lots'), /not a size/);
  usageError(t, () => parseMountFlag('type=tmpfs,dst=/x,U'), /U applies/);
  usageError(t, () => parseMountFlag('type=bind,src=/tmp,dst=/x,volume-nocopy'), /applies to type=volume/);
  usageError(t, () => parseMountFlag('type=volume,src=/tmp,dst=/x'), /needs type=bind/);
  usageError(t, () => parseMountFlag('type=volume,dst=/x,readonly=maybe'), /true or false/);
  usageError(t, () => parseMountFlag('type=volume,,dst=/x'), /empty field/);
  usageError(t, () => parseMountFlag('type=volume,dst=/x,volume-driver=nfs'), /only local/);
});

t.test('--tmpfs', async (t) => {
  t.same(parseTmpfsFlag('/run'), { type: 'tmpfs', source: 'tmpfs', destination: '/run', rw: true, options: ['nosuid', 'nodev', 'noexec'] });
  t.same(parseTmpfsFlag('/run:rw,size=10%,exec,uid=1000,notmpcopyup'), {
    type: 'tmpfs', source: 'tmpfs', destination: '/run', rw: true, options: ['nosuid', 'nodev', 'noexec', 'size=10%', 'exec', 'uid=1000'],
  });
  t.equal(parseTmpfsFlag('/run:ro').rw, false);
  usageError(t, () => parseTmpfsFlag('run'), /must be absolute/);
  usageError(t, () => parseTmpfsFlag('/run:size=1x'), /invalid tmpfs option/);
  usageError(t, () => parseTmpfsFlag('/run:bogus'), /unknown tmpfs option/);
  usageError(t, () => parseTmpfsFlag('/run:'), /empty option/);
});

t.test('--volumes-from', async (t) => {
  t.same(parseVolumesFrom('db'), { container: 'db', rw: undefined });
  t.same(parseVolumesFrom('db:ro'), { container: 'db', rw: false });
  t.same(parseVolumesFrom('db:rw,z'), { container: 'db', rw: true });
  usageError(t, () => parseVolumesFrom(':ro'), /CONTAINER/);
  usageError(t, () => parseVolumesFrom('db:ro:x'), /CONTAINER/);
  usageError(t, () => parseVolumesFrom('db:'), /unknown option ""/);
});

t.test('mountOptions: nothing given, nothing set', async (t) => {
  t.same(mountOptions({}), {});
  t.same(mountOptions({ volume: [], mount: [], tmpfs: [], volumesFrom: [] }), {});
  t.same(Object.keys(mountOptions({ tmpfs: ['/t'], volumesFrom: ['c'] })), ['mounts', 'volumesFrom']);
});

t.test('volume driver options', async (t) => {
  const dir = tempDir(t);
  t.same(checkVolumeOptions({}), { kind: 'data' });
  t.same(checkVolumeOptions({ o: 'uid=1000,gid=1000' }), { kind: 'data' });
  t.same(checkVolumeOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,mode=700' }), { kind: 'tmpfs', options: ['size=1m', 'mode=700'] });
  t.same(checkVolumeOptions({ type: 'none', o: 'bind', device: dir }), { kind: 'bind', device: dir });
  usageError(t, () => checkVolumeOptions({ type: 'nfs', device: ':/x' }), /type=nfs/);
  usageError(t, () => checkVolumeOptions({ type: 'none', device: dir }), /o=bind/);
  usageError(t, () => checkVolumeOptions({ type: 'none', o: 'bind', device: '/no/such/husk/dir' }), /no such file or directory/);
  usageError(t, () => checkVolumeOptions({ o: 'size=1m' }), /without a type/);
  usageError(t, () => checkVolumeOptions({ size: '1m' }), /invalid volume option "size"/);
  usageError(t, () => checkVolumeOptions({ device: '/dev/sda' }), /needs a type/);
});
