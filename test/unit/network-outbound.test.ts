// Which program gives a rootless container its way out, and the one line a
// user gets when the host has none of them, or no usable /dev/net/tun.
import t from 'tap';
import { HuskError } from '../../lib/core/errors.js';
import { outboundCandidates, pastaArgv, slirpArgv } from '../../lib/network/outbound.js';

const host = (programs: string[], tun?: string) => ({
  find: (name: string) => (programs.includes(name) ? `/usr/bin/${name}` : undefined),
  tunProblem: () => tun,
});

t.test('pasta first, slirp4netns after it', async (t) => {
  t.same(outboundCandidates(undefined, host(['pasta', 'slirp4netns'])).map((c) => c.kind), ['pasta', 'slirp4netns']);
  t.same(outboundCandidates(undefined, host(['slirp4netns'])).map((c) => [c.kind, c.reason]), [['slirp4netns', 'pasta is not installed']]);
  t.same(outboundCandidates('slirp4netns', host(['pasta', 'slirp4netns'])).map((c) => c.kind), ['slirp4netns'], 'asked for by name');
});

t.test('nothing to give a network with: one line naming the package or the fix', async (t) => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as Error;
    }
    return undefined;
  };
  const none = err(() => outboundCandidates(undefined, host([])));
  t.type(none, HuskError);
  t.equal(none?.message, 'the container cannot get a network: neither pasta nor slirp4netns is installed (Debian: apt-get install passt, or slirp4netns); or use --network none');
  t.match(err(() => outboundCandidates('pasta', host(['slirp4netns'])))?.message, /pasta is not installed \(Debian: apt-get install passt\)/);
  const tun = err(() => outboundCandidates(undefined, host(['pasta'], '/dev/net/tun cannot be opened (EACCES): make it mode 0666 (chmod 0666 /dev/net/tun)')));
  t.match(tun?.message, /^the container cannot get a network: \/dev\/net\/tun cannot be opened \(EACCES\).*; or use --network none$/);
  t.notMatch(tun?.message ?? '', /\n/, 'one line');
});

t.test('the command lines', async (t) => {
  const pasta = pastaArgv('/usr/bin/pasta', 42, [], '/run/c/pasta.pid');
  t.same(pasta.slice(-3), ['-P', '/run/c/pasta.pid', '42'], 'ready when its pid file is written; the target last');
  t.ok(pasta.includes('--config-net') && pasta.includes('-f'), 'configures the namespace, in the foreground (husk-net keeps it)');
  t.same(pasta.filter((a, i) => ['-t', '-u', '-T', '-U'].includes(pasta[i - 1] ?? '') ), ['none', 'none', 'none', 'none'], 'forwards no port itself: husk-net does');
  const slirp = slirpArgv('/usr/bin/slirp4netns', 42, ['allow_host_loopback=true', 'mtu=1500'], true);
  t.ok(slirp.includes('--mtu=1500'));
  t.notOk(slirp.includes('--disable-host-loopback'), 'allow_host_loopback=true');
  t.ok(slirpArgv('/usr/bin/slirp4netns', 42, [], true).includes('--disable-host-loopback'), 'by default the host\'s loopback is shut');
  t.same(slirp.slice(-3), ['--netns-type=path', '/proc/42/ns/net', 'tap0']);
});
