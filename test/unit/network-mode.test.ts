import t from 'tap';
import { DEFAULT_NETWORK } from '../../lib/core/network.js';
import {
  checkedMac,
  parseAddHost,
  parseAddHosts,
  parseDnsFlags,
  parseNetworkConfig,
  parseNetworkFlags,
  type NetworkConfigFlags,
  type NetworkFlags,
} from '../../lib/network/mode.js';
import { usageError } from './fixtures/helpers.js';

const flags = (network: string[], over: Partial<NetworkFlags> = {}): NetworkFlags => ({ network, networkAlias: [], rootless: true, ...over });
const mode = (network: string[], over: Partial<NetworkFlags> = {}) => parseNetworkFlags(flags(network, over));
const bridge = (...names: string[]) => ({ kind: 'bridge', networks: names.map((name) => ({ name, aliases: [] })) });

t.test('parseNetworkFlags: the default and private', async (t) => {
  t.same(mode([]), { kind: 'pasta', options: [] }, 'rootless: pasta');
  t.same(mode([], { rootless: false }), bridge(DEFAULT_NETWORK), 'root: the default network');
  t.same(mode(['private']), { kind: 'pasta', options: [] });
  t.same(mode(['private'], { rootless: false }), bridge(DEFAULT_NETWORK));
  t.same(mode(['bridge']), bridge(DEFAULT_NETWORK));
  t.same(mode(['default']), bridge(DEFAULT_NETWORK));
});

t.test('parseNetworkFlags: modes that stand alone', async (t) => {
  t.same(mode(['none']), { kind: 'none' });
  t.same(mode(['host']), { kind: 'host' });
  t.same(mode(['container:web']), { kind: 'container', container: 'web' });
  t.same(mode(['ns:/run/netns/blue']), { kind: 'ns', path: '/run/netns/blue' });
  t.same(mode(['pasta']), { kind: 'pasta', options: [] });
  t.same(mode(['pasta:-t,8080,--ipv4-only']), { kind: 'pasta', options: ['-t', '8080', '--ipv4-only'] }, 'options split on commas');
  t.same(mode(['slirp4netns']), { kind: 'slirp4netns', options: [] });
  t.same(mode(['slirp4netns:allow_host_loopback=true,port_handler=slirp4netns,mtu=1500,cidr=10.5.0.0/24,enable_ipv6=false,outbound_addr=eth0,outbound_addr6=::1']), {
    kind: 'slirp4netns',
    options: ['allow_host_loopback=true', 'port_handler=slirp4netns', 'mtu=1500', 'cidr=10.5.0.0/24', 'enable_ipv6=false', 'outbound_addr=eth0', 'outbound_addr6=::1'],
  });
});

t.test('parseNetworkFlags: bad mode values', async (t) => {
  usageError(t, () => mode(['slirp4netns:bogus=1']), 'invalid --network "slirp4netns:bogus=1": unknown slirp4netns option "bogus": use allow_host_loopback, ');
  usageError(t, () => mode(['slirp4netns:allow_host_loopback=yes']), 'invalid slirp4netns option "allow_host_loopback=yes": true or false');
  usageError(t, () => mode(['slirp4netns:mtu=abc']), 'invalid slirp4netns option "mtu=abc"');
  usageError(t, () => mode(['slirp4netns:port_handler=x']), 'rootlesskit or slirp4netns');
  usageError(t, () => mode(['slirp4netns:cidr=10.0.0.0']), 'an IPv4 CIDR');
  usageError(t, () => mode(['slirp4netns:mtu']), 'invalid slirp4netns option "mtu"');
  usageError(t, () => mode(['slirp4netns:']), 'no options after "slirp4netns:"');
  usageError(t, () => mode(['pasta:']), 'no options after "pasta:"');
  usageError(t, () => mode(['container:']), 'invalid --network "container:": name the container');
  usageError(t, () => mode(['ns:run/netns/x']), 'invalid --network "ns:run/netns/x": ns: takes an absolute path');
  usageError(t, () => mode(['none:x']), 'invalid --network "none:x": use bridge, pasta');
  usageError(t, () => mode(['']), 'invalid --network "": empty network name');
  usageError(t, () => mode(['-net']), 'invalid --network "-net": a network name must match');
  usageError(t, () => mode(['my net']), 'a network name must match');
  usageError(t, () => mode(['a,']), 'invalid --network "": empty network name');
});

t.test('parseNetworkFlags: user networks, comma-separated or repeated', async (t) => {
  t.same(mode(['front']), bridge('front'));
  t.same(mode(['front,back']), bridge('front', 'back'));
  t.same(mode(['front', 'back', 'x_1.y-z']), bridge('front', 'back', 'x_1.y-z'));
  t.same(mode(['bridge,back']), bridge(DEFAULT_NETWORK, 'back'));
  usageError(t, () => mode(['front', 'front']), 'network "front" is named more than once');
  usageError(t, () => mode(['bridge', DEFAULT_NETWORK]), `network "${DEFAULT_NETWORK}" is named more than once`);
});

t.test('parseNetworkFlags: none, host, container, ns, pasta, slirp4netns do not mix', async (t) => {
  usageError(t, () => mode(['none', 'front']), 'invalid --network "none,front": none cannot be combined with another network');
  usageError(t, () => mode(['front,host']), 'host cannot be combined');
  usageError(t, () => mode(['pasta', 'slirp4netns']), 'pasta cannot be combined');
  usageError(t, () => mode(['container:x', 'front']), 'container:x cannot be combined');
  usageError(t, () => mode(['none', 'none']), 'none cannot be combined');
  usageError(t, () => mode(['private', 'front']), 'private cannot be combined');
  t.same(mode(['private', 'front'], { rootless: false }), bridge(DEFAULT_NETWORK, 'front'), 'as root private is the default network');
});

t.test('parseNetworkFlags: --network-alias, --ip, --mac-address', async (t) => {
  t.same(mode(['front', 'back'], { networkAlias: ['db', 'pg', 'db'] }), {
    kind: 'bridge',
    networks: [
      { name: 'front', aliases: ['db', 'pg'] },
      { name: 'back', aliases: ['db', 'pg'] },
    ],
  });
  t.same(mode(['front'], { ip: '10.89.0.5', mac: '92:D0:C6:0A:29:33' }), { kind: 'bridge', networks: [{ name: 'front', aliases: [], ip: '10.89.0.5', mac: '92:d0:c6:0a:29:33' }] });
  t.same(mode([], { rootless: false, ip: 'fd00::5' }), { kind: 'bridge', networks: [{ name: DEFAULT_NETWORK, aliases: [], ip: 'fd00::5' }] });
  usageError(t, () => mode(['front,back'], { ip: '10.89.0.5' }), '--ip and --mac-address need a single network, not front, back');
  usageError(t, () => mode([], { ip: '10.0.0.1' }), '--ip can only be used with user networks (bridge), not with --network pasta');
  usageError(t, () => mode(['host'], { networkAlias: ['a'], mac: '02:00:00:00:00:01' }), '--network-alias, --mac-address can only be used with user networks');
  usageError(t, () => mode(['front'], { ip: '10.0.0.300' }), 'invalid --ip "10.0.0.300": give an IPv4 or IPv6 address');
  usageError(t, () => mode(['front'], { ip: '' }), 'invalid --ip ""');
  usageError(t, () => mode(['front'], { networkAlias: ['a b'] }), 'invalid --network-alias "a b"');
});

t.test('checkedMac', async (t) => {
  t.equal(checkedMac('02:42:AC:11:00:02'), '02:42:ac:11:00:02');
  usageError(t, () => checkedMac('01:00:5e:00:00:01'), 'invalid --mac-address "01:00:5e:00:00:01": a multicast address');
  usageError(t, () => checkedMac('ff:ff:ff:ff:ff:ff'), 'a multicast address');
  usageError(t, () => checkedMac('00:00:00:00:00:00'), 'the all-zero address');
  usageError(t, () => checkedMac('02:42:ac:11:00'), 'use six hex pairs');
  usageError(t, () => checkedMac('02-42-ac-11-00-02'), 'use six hex pairs');
  usageError(t, () => checkedMac('02:42:ac:11:00:0g'), 'use six hex pairs');
});

t.test('parseAddHost', async (t) => {
  t.same(parseAddHost('db:10.0.0.5'), { name: 'db', ip: '10.0.0.5' });
  t.same(parseAddHost('db=10.0.0.5'), { name: 'db', ip: '10.0.0.5' }, 'docker 25 form');
  t.same(parseAddHost('db:::1'), { name: 'db', ip: '::1' }, 'the first colon splits');
  t.same(parseAddHost('db:[fe80::1]'), { name: 'db', ip: 'fe80::1' });
  t.same(parseAddHost('db=::1'), { name: 'db', ip: '::1' });
  t.same(parseAddHost('host.local:host-gateway'), { name: 'host.local', ip: 'host-gateway' });
  usageError(t, () => parseAddHost('db'), 'invalid --add-host "db": no IP address; use NAME:IP');
  usageError(t, () => parseAddHost(':10.0.0.5'), 'the host name is empty');
  usageError(t, () => parseAddHost('db:'), 'the IP address is empty');
  usageError(t, () => parseAddHost('db:example.com'), '"example.com" is not an IP address');
  usageError(t, () => parseAddHost('a b:1.2.3.4'), '"a b" is not a host name');
});

t.test('parseAddHosts: stored as NAME:IP, not with --no-hosts', async (t) => {
  t.same(parseAddHosts(['a=1.2.3.4', 'b:::1', 'c:host-gateway'], false), ['a:1.2.3.4', 'b:::1', 'c:host-gateway']);
  t.same(parseAddHosts([], true), []);
  usageError(t, () => parseAddHosts(['a:1.2.3.4'], true), '--no-hosts and --add-host cannot be set together');
});

t.test('parseDnsFlags', async (t) => {
  const f = { dns: ['1.1.1.1', '2606:4700:4700::1111'], dnsSearch: ['example.com', 'corp.example.com.', '.'], dnsOptions: ['ndots:2', 'edns0'] };
  t.same(parseDnsFlags(f), f);
  usageError(t, () => parseDnsFlags({ ...f, dns: ['dns.google'] }), 'invalid --dns "dns.google": give the IP address of a DNS server');
  usageError(t, () => parseDnsFlags({ ...f, dnsSearch: ['bad domain'] }), 'invalid --dns-search "bad domain"');
  usageError(t, () => parseDnsFlags({ ...f, dnsSearch: ['-x.com'] }), 'invalid --dns-search "-x.com"');
  usageError(t, () => parseDnsFlags({ ...f, dnsSearch: [''] }), 'invalid --dns-search ""');
  usageError(t, () => parseDnsFlags({ ...f, dnsOptions: ['ndots: 2'] }), 'invalid --dns-option "ndots: 2": give one option without blanks');
  usageError(t, () => parseDnsFlags({ ...f, dnsOptions: [''] }), 'invalid --dns-option ""');
});

const all = (over: Partial<NetworkConfigFlags> = {}): NetworkConfigFlags => ({
  network: [], networkAlias: [], rootless: true, dns: [], dnsSearch: [], dnsOptions: [], publish: [], publishAll: false, expose: [], addHost: [], noHosts: false, ...over,
});

t.test('parseNetworkConfig: everything together', async (t) => {
  t.same(parseNetworkConfig(all()), {
    mode: { kind: 'pasta', options: [] }, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [],
  });
  const c = parseNetworkConfig(all({
    network: ['front'], publish: ['8080:80', '53/udp'], publishAll: true, expose: ['80', '90-91/udp', '80/tcp'], addHost: ['db:10.0.0.5'], dns: ['9.9.9.9'], dnsSearch: ['x.org'], dnsOptions: ['ndots:1'],
  }));
  t.same(c.mode, bridge('front'));
  t.same(c.ports, [
    { hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
  ]);
  t.equal(c.publishAll, true);
  t.same(c.expose, ['80/tcp', '90/udp', '91/udp']);
  t.same(c.addHosts, ['db:10.0.0.5']);
  t.same([c.dns, c.dnsSearch, c.dnsOptions], [['9.9.9.9'], ['x.org'], ['ndots:1']]);
});

t.test('parseNetworkConfig: conflicts', async (t) => {
  usageError(t, () => parseNetworkConfig(all({ network: ['host'], publish: ['80'] })), '--publish cannot be used with --network host');
  usageError(t, () => parseNetworkConfig(all({ network: ['none'], publish: ['80'] })), '--publish cannot be used with --network none');
  usageError(t, () => parseNetworkConfig(all({ network: ['container:x'], dns: ['1.1.1.1'] })), 'cannot be used with --network container:');
  usageError(t, () => parseNetworkConfig(all({ network: ['container:x'], addHost: ['a:1.1.1.1'] })), 'cannot be used with --network container:');
  usageError(t, () => parseNetworkConfig(all({ noHosts: true, addHost: ['a:1.1.1.1'] })), '--no-hosts and --add-host cannot be set together');
  usageError(t, () => parseNetworkConfig(all({ publish: ['x'] })), 'invalid --publish "x"');
  usageError(t, () => parseNetworkConfig(all({ expose: ['x'] })), 'invalid --expose "x"');
  t.same(parseNetworkConfig(all({ network: ['host'], expose: ['80'] })).expose, ['80/tcp'], '--expose is only metadata');
});
