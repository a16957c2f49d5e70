import t from 'tap';
import { hostsFile, resolvConf, upstreamResolvConfPath, type HostsParams, type ResolvConfParams } from '../../lib/network/etc-files.js';
import { usageError } from './fixtures/helpers.js';

const hosts = (over: Partial<HostsParams> = {}): HostsParams => ({
  hostname: 'abc123def456', containerName: 'web', shortId: 'abc123def456', aliases: [], ownAddresses: [], peers: [], addHosts: [], ...over,
});

t.test('hostsFile: a container on a user network', async (t) => {
  t.equal(
    hostsFile(hosts({
      ownAddresses: ['10.89.0.5', 'fd00::5'],
      aliases: ['www', 'web'],
      hostGateway: '10.89.0.1',
      peers: [{ ip: '10.89.0.6', names: ['db', 'pg', '0123456789ab', 'db'] }],
    })),
    '127.0.0.1\tlocalhost\n' +
      '::1\tlocalhost\n' +
      '10.89.0.1\thost.containers.internal host.docker.internal\n' +
      '10.89.0.5\tabc123def456 web www\n' +
      'fd00::5\tabc123def456 web www\n' +
      '10.89.0.6\tdb pg 0123456789ab\n',
  );
});

t.test('hostsFile: --add-host entries come first and win', async (t) => {
  t.equal(
    hostsFile(hosts({
      hostname: 'h1',
      ownAddresses: ['10.89.0.5'],
      hostGateway: '10.89.0.1',
      addHosts: [{ name: 'web', ip: '1.2.3.4' }, { name: 'localhost', ip: '127.0.0.2' }, { name: 'host.docker.internal', ip: 'host-gateway' }, { name: 'v6', ip: '::1' }],
    })),
    '1.2.3.4\tweb\n' +
      '127.0.0.2\tlocalhost\n' +
      '10.89.0.1\thost.docker.internal\n' +
      '::1\tv6\n' +
      '10.89.0.1\thost.containers.internal\n' +
      '10.89.0.5\th1 abc123def456\n',
  );
  usageError(t, () => hostsFile(hosts({ addHosts: [{ name: 'gw', ip: 'host-gateway' }] })), '--add-host gw:host-gateway: this network has no address where the container reaches the host');
});

t.test('hostsFile: pasta and no address at all', async (t) => {
  t.equal(hostsFile(hosts({ pastaAddress: '192.168.1.20', hostGateway: '169.254.1.2' })),
    '127.0.0.1\tlocalhost\n::1\tlocalhost\n169.254.1.2\thost.containers.internal host.docker.internal\n192.168.1.20\tabc123def456 web\n');
  t.equal(hostsFile(hosts({ containerName: '' })), '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\tabc123def456\n', 'network none: 127.0.1.1');
});

t.test('hostsFile: --network host takes the host\'s entries after --add-host', async (t) => {
  const base = '# the host\n127.0.0.1 localhost localhost.localdomain\n::1\tlocalhost ip6-localhost # loopback\n\n192.168.1.20  laptop\n10.0.0.1\n';
  t.equal(
    hostsFile(hosts({ hostname: 'laptop', containerName: 'web', baseHosts: base, addHosts: [{ name: 'x', ip: '1.1.1.1' }] })),
    '1.1.1.1\tx\n' +
      '127.0.0.1\tlocalhost localhost.localdomain\n' +
      '::1\tlocalhost ip6-localhost\n' +
      '192.168.1.20\tlaptop\n' +
      '127.0.1.1\tweb abc123def456\n',
  );
});

const resolv = (over: Partial<ResolvConfParams> = {}): ResolvConfParams => ({ hostResolvConf: '', dns: [], dnsSearch: [], dnsOptions: [], keepLoopback: false, ...over });
const HOST = '# generated\nnameserver 192.168.1.1\nnameserver 127.0.0.53\nnameserver ::1\nnameserver fe80::1%eth0\nnameserver 2001:db8::53\nsearch lan example.com\noptions edns0 trust-ad\noptions ndots:2\nsortlist 130.155.160.0\n';

t.test('resolvConf: the host\'s file minus loopback nameservers', async (t) => {
  t.equal(resolvConf(resolv({ hostResolvConf: HOST })), 'nameserver 192.168.1.1\nnameserver 2001:db8::53\nsearch lan example.com\noptions edns0 trust-ad ndots:2\n');
  t.equal(resolvConf(resolv({ hostResolvConf: HOST, ipv6: false })), 'nameserver 192.168.1.1\nsearch lan example.com\noptions edns0 trust-ad ndots:2\n');
});

t.test('resolvConf: loopback nameservers replaced by the forwarder', async (t) => {
  t.equal(resolvConf(resolv({ hostResolvConf: HOST, loopbackReplacement: '10.0.2.3' })),
    'nameserver 192.168.1.1\nnameserver 10.0.2.3\nnameserver 2001:db8::53\nsearch lan example.com\noptions edns0 trust-ad ndots:2\n', 'in place, once');
  t.equal(resolvConf(resolv({ hostResolvConf: 'nameserver 127.0.0.53\nsearch x\n', loopbackReplacement: '169.254.1.1' })), 'nameserver 169.254.1.1\nsearch x\n');
  t.equal(resolvConf(resolv({ hostResolvConf: '', loopbackReplacement: '10.0.2.3' })), 'nameserver 10.0.2.3\n', 'nothing left: the replacement');
  t.equal(resolvConf(resolv({ hostResolvConf: 'nameserver 127.0.0.1\nnameserver 0:0:0:0:0:0:0:1\n' })), '', 'nothing left, no replacement: no nameserver at all');
});

t.test('resolvConf: --network host keeps them', async (t) => {
  t.equal(resolvConf(resolv({ hostResolvConf: 'nameserver 127.0.0.53\nsearch x\n', keepLoopback: true, loopbackReplacement: '10.0.2.3' })), 'nameserver 127.0.0.53\nsearch x\n');
});

t.test('resolvConf: --dns, --dns-search, --dns-option replace the host\'s', async (t) => {
  t.equal(resolvConf(resolv({ hostResolvConf: HOST, dns: ['9.9.9.9', '127.0.0.1'] })), 'nameserver 9.9.9.9\nnameserver 127.0.0.1\nsearch lan example.com\noptions edns0 trust-ad ndots:2\n', '--dns as given');
  t.equal(resolvConf(resolv({ hostResolvConf: HOST, dnsSearch: ['corp.example'] })), 'nameserver 192.168.1.1\nnameserver 2001:db8::53\nsearch corp.example\noptions edns0 trust-ad ndots:2\n');
  t.equal(resolvConf(resolv({ hostResolvConf: HOST, dnsSearch: ['.'] })), 'nameserver 192.168.1.1\nnameserver 2001:db8::53\noptions edns0 trust-ad ndots:2\n', '"." means no search list');
  t.equal(resolvConf(resolv({ hostResolvConf: HOST, dnsOptions: ['ndots:1'] })), 'nameserver 192.168.1.1\nnameserver 2001:db8::53\nsearch lan example.com\noptions ndots:1\n');
  t.equal(resolvConf(resolv({ dns: ['1.1.1.1'], dnsSearch: ['a.b', 'c.d'], dnsOptions: ['rotate', 'timeout:1'] })), 'nameserver 1.1.1.1\nsearch a.b c.d\noptions rotate timeout:1\n');
});

t.test('resolvConf: the last search or domain line counts, bad nameservers are skipped', async (t) => {
  t.equal(resolvConf(resolv({ hostResolvConf: 'search a\ndomain b\nnameserver nonsense\nnameserver 1.1.1.1 ; comment\n' })), 'nameserver 1.1.1.1\nsearch b\n');
});

t.test('upstreamResolvConfPath: local stubs', async (t) => {
  t.equal(upstreamResolvConfPath('nameserver 127.0.0.53\noptions edns0\n'), '/run/systemd/resolve/resolv.conf');
  t.equal(upstreamResolvConfPath('nameserver 127.0.0.1\n'), '/run/NetworkManager/no-stub-resolv.conf');
  t.equal(upstreamResolvConfPath('nameserver 127.0.0.53\nnameserver 1.1.1.1\n'), undefined);
  t.equal(upstreamResolvConfPath('nameserver 1.1.1.1\n'), undefined);
});
