import t from 'tap';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, kernelCapabilities, normalizeCapability, resolveCapabilities } from '../../lib/runtime/capabilities.js';
import { usageError } from './fixtures/helpers.js';

// The host's bounding set decides what can be added; the expected values are
// computed from it, so the tests hold in sandboxes that lack a capability.
const known = kernelCapabilities();
const inKernelOrder = (caps: string[]) => ALL_CAPABILITIES.filter((c) => caps.includes(c));

t.test('tables', async (t) => {
  t.equal(ALL_CAPABILITIES.length, 41);
  t.equal(ALL_CAPABILITIES[0], 'CAP_CHOWN');
  t.equal(ALL_CAPABILITIES[21], 'CAP_SYS_ADMIN');
  t.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
  t.same(DEFAULT_CAPABILITIES, [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
    'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
  ], "podman's default set");
  t.ok(DEFAULT_CAPABILITIES.every((c) => known.includes(c)), 'this host can grant the defaults');
});

t.test('kernelCapabilities follows /proc/self/status CapBnd', async (t) => {
  const hex = /^CapBnd:\s*([0-9a-f]+)/m.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))![1]!;
  const mask = BigInt(`0x${hex}`);
  t.same(known, ALL_CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n));
});

t.test('normalizeCapability', async (t) => {
  t.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  t.equal(normalizeCapability('NET_ADMIN'), 'CAP_NET_ADMIN');
  t.equal(normalizeCapability('cap_net_admin'), 'CAP_NET_ADMIN');
  t.equal(normalizeCapability(' CAP_SYS_ADMIN '), 'CAP_SYS_ADMIN');
  t.equal(normalizeCapability('all'), 'ALL');
  t.equal(normalizeCapability('ALL'), 'ALL');
  usageError(t, () => normalizeCapability('NET_ADMINN'), 'unknown capability "NET_ADMINN": use a name such as NET_ADMIN or CAP_NET_ADMIN');
  usageError(t, () => normalizeCapability('CAP_'), 'unknown capability "CAP_"');
  usageError(t, () => normalizeCapability(''), 'unknown capability ""');
  usageError(t, () => normalizeCapability('CAP_ALL'), 'unknown capability "CAP_ALL"');
});

t.test('defaults, in kernel order', async (t) => {
  t.same(resolveCapabilities([], [], false), [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
    'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_SETFCAP',
  ]);
});

t.test('drop one', async (t) => {
  const out = resolveCapabilities([], ['chown'], false);
  t.same(out, inKernelOrder(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN')));
  t.same(resolveCapabilities([], ['NET_RAW'], false), resolveCapabilities([], [], false), 'dropping one not in the set is harmless');
});

t.test('drop ALL, add one', async (t) => {
  t.same(resolveCapabilities(['NET_BIND_SERVICE'], ['ALL'], false), ['CAP_NET_BIND_SERVICE']);
  t.same(resolveCapabilities([], ['all'], false), []);
  t.same(resolveCapabilities(['kill', 'CAP_CHOWN'], ['ALL'], false), ['CAP_CHOWN', 'CAP_KILL']);
});

t.test('add one', async (t) => {
  t.ok(known.includes('CAP_NET_ADMIN'), 'host holds CAP_NET_ADMIN');
  t.same(resolveCapabilities(['net_admin'], [], false), inKernelOrder([...DEFAULT_CAPABILITIES, 'CAP_NET_ADMIN']));
  t.same(resolveCapabilities(['CHOWN'], ['CHOWN'], false), resolveCapabilities([], [], false), '--cap-add wins over --cap-drop');
});

t.test('add ALL, privileged: everything this host can give', async (t) => {
  t.same(resolveCapabilities(['ALL'], [], false), known);
  t.same(resolveCapabilities(['ALL'], ['ALL'], false), known);
  t.same(resolveCapabilities([], [], true), known);
  t.same(resolveCapabilities(['bogus'], ['bogus'], true), known, 'privileged ignores the lists, as before');
});

t.test('add ALL with a drop', async (t) => {
  t.same(resolveCapabilities(['ALL'], ['NET_ADMIN'], false), known.filter((c) => c !== 'CAP_NET_ADMIN'));
});

t.test('unknown capability', async (t) => {
  usageError(t, () => resolveCapabilities(['NOPE'], [], false), 'unknown capability "NOPE"');
  usageError(t, () => resolveCapabilities([], ['cap_nope'], false), 'unknown capability "cap_nope"');
});

t.test('a capability husk does not hold cannot be added', async (t) => {
  const missing = ALL_CAPABILITIES.filter((c) => !known.includes(c));
  if (missing.length === 0) {
    t.pass('this host holds every capability: nothing to test');
    return;
  }
  usageError(t, () => resolveCapabilities([missing[0]!], [], false), `capability ${missing[0]} cannot be added: husk itself does not hold it`);
});
