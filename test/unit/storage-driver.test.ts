// The store's driver, decided once by a probe (never by a container's failed
// mount), and the short links that keep a long layer list within a page.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { chooseDriver, fuseOverlayfsPath, lowerLinks, OVERLAY_MAX_LOWERS, storeDriver, verdictOf, type OverlayCheck } from '../../lib/storage/driver.js';
import { fakeContext, recordingNative } from '../helpers/fake-native.js';

const NEXT = fuseOverlayfsPath() ? 'fuse-overlayfs' : 'vfs';

function store(t: Test) {
  const ctx = fakeContext(recordingNative({}).native);
  t.teardown(ctx.cleanup);
  const file = path.join(ctx.paths.dataRoot, 'storage-driver.json');
  return { ctx, file, record: () => JSON.parse(fs.readFileSync(file, 'utf8')) as { driver: string; probe: string } };
}

/** A probe that answers `check` and counts its calls. */
function probe(check: OverlayCheck) {
  const p = Object.assign(
    (): OverlayCheck => {
      p.calls++;
      return check;
    },
    { calls: 0 },
  );
  return p;
}

t.test('the probe decides once: its record answers every later command', async (t) => {
  const { ctx, record } = store(t);
  const yes = probe({ verdict: 'yes', detail: 'mounted' });
  t.equal(storeDriver(ctx, yes), 'overlay');
  t.same(record(), { driver: 'overlay', probe: 'kernel overlayfs mounts' }, 'recorded with what decided it');
  const no = probe({ verdict: 'no', detail: 'EINVAL (Invalid argument)' });
  t.equal(storeDriver(ctx, no), 'overlay', 'a later probe is not asked');
  t.equal(no.calls, 0);
});

t.test('a kernel that refuses overlayfs moves the store to the next driver, for good', async (t) => {
  const { ctx, record } = store(t);
  t.equal(storeDriver(ctx, probe({ verdict: 'no', detail: 'EINVAL (Invalid argument)' })), NEXT);
  t.same(record(), { driver: NEXT, probe: 'kernel overlayfs refused: EINVAL (Invalid argument)' });
  t.equal(chooseDriver(ctx), NEXT, 'new containers go there');
});

t.test('a passing error of the probe decides nothing', async (t) => {
  const { ctx, file } = store(t);
  const busy = probe({ verdict: 'unknown', detail: 'ENOMEM (Cannot allocate memory)' });
  t.equal(storeDriver(ctx, busy), 'overlay', 'overlay meanwhile');
  t.notOk(fs.existsSync(file), 'nothing recorded');
  const yes = probe({ verdict: 'yes', detail: 'mounted' });
  t.equal(storeDriver(ctx, yes), 'overlay');
  t.equal(yes.calls, 1, 'the next command probes again');
});

t.test('a fallback an older husk remembered after one failed mount is decided again', async (t) => {
  const { ctx, file, record } = store(t);
  fs.mkdirSync(ctx.paths.dataRoot, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ driver: 'fuse-overlayfs' }));
  t.equal(storeDriver(ctx, probe({ verdict: 'yes', detail: 'mounted' })), 'overlay');
  t.equal(record().driver, 'overlay');
});

t.test('the probe\'s errno: refusals against passing trouble', async (t) => {
  t.equal(verdictOf({ mounted: true }).verdict, 'yes');
  for (const errno of ['EINVAL', 'EPERM', 'ENODEV', 'EOPNOTSUPP']) t.equal(verdictOf({ mounted: false, errno, error: 'x' }).verdict, 'no', errno);
  for (const errno of ['ENOMEM', 'EBUSY', 'ENOENT', 'EAGAIN', 'ENOSPC', 'EMFILE']) t.equal(verdictOf({ mounted: false, errno, error: 'x' }).verdict, 'unknown', errno);
  t.equal(verdictOf({ mounted: false, errno: 'EINVAL', error: 'Invalid argument' }).detail, 'EINVAL (Invalid argument)');
});

t.test('chooseDriver: --storage-driver wins; more layers than overlayfs stacks take the next driver', async (t) => {
  const { ctx } = store(t);
  storeDriver(ctx, probe({ verdict: 'yes', detail: 'mounted' }));
  t.equal(chooseDriver(ctx, OVERLAY_MAX_LOWERS), 'overlay', `${OVERLAY_MAX_LOWERS} layers: overlay`);
  t.equal(chooseDriver(ctx, OVERLAY_MAX_LOWERS + 1), NEXT, `${OVERLAY_MAX_LOWERS + 1}: ${NEXT}`);
  t.equal(chooseDriver(Object.assign(ctx, { storageDriver: 'vfs' }), 1), 'vfs');
  t.throws(() => chooseDriver(Object.assign(ctx, { storageDriver: 'btrfs' })), /unknown storage driver "btrfs"/);
});

t.test('lowerLinks: one short link per layer, bottom first, kept when right, replaced when not', async (t) => {
  const dir = t.testdir({ a: {}, b: {}, c: {} });
  const links = path.join(dir, 'l');
  const layers = ['a', 'b', 'c'].map((d) => path.join(dir, d));
  t.same(lowerLinks(links, layers), ['0', '1', '2'].map((n) => path.join(links, n)));
  t.same(['0', '1', '2'].map((n) => fs.readlinkSync(path.join(links, n))), layers);
  const before = fs.lstatSync(path.join(links, '0')).ino;
  fs.rmSync(path.join(links, '1'));
  fs.symlinkSync('/elsewhere', path.join(links, '1'));
  lowerLinks(links, layers);
  t.equal(fs.lstatSync(path.join(links, '0')).ino, before, 'a right link stays');
  t.equal(fs.readlinkSync(path.join(links, '1')), layers[1], 'a wrong one is replaced');
  t.same(fs.readdirSync(links).sort(), ['0', '1', '2'], 'nothing else left there');
  // What keeps 500 layers within a page: "l/499:" relative to the container's directory.
  const relative = Array.from({ length: OVERLAY_MAX_LOWERS }, (_, i) => `l/${i}`).join(':');
  t.ok(`lowerdir=${relative},upperdir=upper,workdir=work,userxattr,volatile`.length < 4095, 'the kernel\'s 500 fit one page');
});
