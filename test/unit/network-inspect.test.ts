import t from 'tap';
import { DEFAULT_NETWORK, type ContainerNetworkConfig, type NetworkMode, type NetworkStatus } from '../../lib/core/network.js';
import { inspectHostConfigNetwork, inspectNetworkSettings, networkModeName, networkNames } from '../../lib/network/inspect.js';

const config = (mode: NetworkMode, over: Partial<ContainerNetworkConfig> = {}): ContainerNetworkConfig => ({
  mode, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: false, dns: [], dnsSearch: [], dnsOptions: [], ...over,
});
const attach = (name: string, extra: object = {}) => ({ name, aliases: [], ...extra });

t.test('networkModeName: HostConfig.NetworkMode', async (t) => {
  t.equal(networkModeName({ kind: 'bridge', networks: [attach(DEFAULT_NETWORK)] }), 'bridge');
  t.equal(networkModeName({ kind: 'bridge', networks: [attach('front'), attach('back')] }), 'front');
  t.equal(networkModeName({ kind: 'bridge', networks: [attach(DEFAULT_NETWORK), attach('back')] }), DEFAULT_NETWORK);
  t.equal(networkModeName({ kind: 'pasta', options: ['-T', '80'] }), 'pasta');
  t.equal(networkModeName({ kind: 'slirp4netns', options: [] }), 'slirp4netns');
  t.equal(networkModeName({ kind: 'none' }), 'none');
  t.equal(networkModeName({ kind: 'host' }), 'host');
  t.equal(networkModeName({ kind: 'container', container: 'abc' }), 'container:abc');
  t.equal(networkModeName({ kind: 'ns', path: '/run/netns/x' }), 'ns:/run/netns/x');
});

t.test('networkNames: ps Networks', async (t) => {
  t.equal(networkNames({ kind: 'bridge', networks: [attach(DEFAULT_NETWORK), attach('back')] }), `${DEFAULT_NETWORK},back`);
  t.equal(networkNames({ kind: 'pasta', options: [] }), 'pasta');
});

t.test('inspectHostConfigNetwork: what was asked for', async (t) => {
  const c = config({ kind: 'bridge', networks: [attach('front')] }, {
    ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '::1', hostPort: 0, containerPort: 53, protocol: 'udp' }],
    publishAll: true, addHosts: ['db:10.0.0.5'], dns: ['1.1.1.1'], dnsSearch: ['x.org'], dnsOptions: ['ndots:1'],
  });
  t.same(inspectHostConfigNetwork(c), {
    NetworkMode: 'front',
    PortBindings: { '53/udp': [{ HostIp: '::1', HostPort: '' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    PublishAllPorts: true,
    Dns: ['1.1.1.1'],
    DnsOptions: ['ndots:1'],
    DnsSearch: ['x.org'],
    ExtraHosts: ['db:10.0.0.5'],
  });
  t.equal(inspectHostConfigNetwork(config({ kind: 'none' })).ExtraHosts, null);
});

const STATUS: NetworkStatus = {
  helperPid: 42,
  ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '', hostPort: 40001, containerPort: 443, protocol: 'tcp' }],
  networks: {
    front: { networkId: 'f'.repeat(64), ip: '10.89.0.5', prefixLen: 24, gateway: '10.89.0.1', mac: '02:00:0a:59:00:05', aliases: ['web', 'abc123def456'], interface: 'eth0' },
    v6: { networkId: 'e'.repeat(64), ip: 'fd00::5', prefixLen: 64, gateway: 'fd00::1', mac: '02:00:00:00:00:06', aliases: [], interface: 'eth1' },
  },
};

t.test('inspectNetworkSettings: a running container on user networks', async (t) => {
  const c = config({ kind: 'bridge', networks: [attach('front', { aliases: ['web'], ip: '10.89.0.5' }), attach('v6'), attach('later')] }, {
    ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], expose: ['80/tcp', '443/tcp', '9000/udp'],
  });
  const s = inspectNetworkSettings(c, STATUS);
  t.same(s.Ports, {
    '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '40001' }],
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
    '9000/udp': null,
  });
  t.same([s.IPAddress, s.IPPrefixLen, s.Gateway, s.MacAddress], ['10.89.0.5', 24, '10.89.0.1', '02:00:0a:59:00:05'], 'the first network');
  t.same(Object.keys(s.Networks), ['front', 'v6', 'later']);
  t.match(s.Networks.front, {
    IPAMConfig: { IPv4Address: '10.89.0.5' }, Aliases: ['web', 'abc123def456'], NetworkID: 'f'.repeat(64), EndpointID: '',
    IPAddress: '10.89.0.5', IPPrefixLen: 24, Gateway: '10.89.0.1', MacAddress: '02:00:0a:59:00:05', GlobalIPv6Address: '',
  });
  t.match(s.Networks.v6, { IPAddress: '', GlobalIPv6Address: 'fd00::5', GlobalIPv6PrefixLen: 64, IPv6Gateway: 'fd00::1', Aliases: null });
  t.match(s.Networks.later, { IPAddress: '', NetworkID: '', MacAddress: '' }, 'a network the start did not report');
});

t.test('inspectNetworkSettings: not running', async (t) => {
  const c = config({ kind: 'bridge', networks: [attach('front', { aliases: ['web'], mac: '02:00:00:00:00:01' })] }, {
    ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], expose: ['80/tcp'],
  });
  const s = inspectNetworkSettings(c, undefined);
  t.same(s.Ports, {}, 'no ports while it does not run, as docker');
  t.same([s.IPAddress, s.IPPrefixLen, s.Gateway, s.MacAddress], ['', 0, '', '']);
  t.match(s.Networks.front, { IPAMConfig: null, Aliases: ['web'], IPAddress: '', NetworkID: '', DNSNames: null });
});

t.test('inspectNetworkSettings: pasta, slirp4netns, none', async (t) => {
  const status: NetworkStatus = { ports: [], networks: {}, ip: '10.0.2.100', gateway: '10.0.2.2', prefixLen: 24, mac: '02:00:00:00:00:02' };
  const s = inspectNetworkSettings(config({ kind: 'slirp4netns', options: [] }), status);
  t.same([s.IPAddress, s.IPPrefixLen, s.Gateway, s.MacAddress, s.Networks, s.Ports], ['10.0.2.100', 24, '10.0.2.2', '02:00:00:00:00:02', {}, {}]);
  const none = inspectNetworkSettings(config({ kind: 'none' }), { ports: [], networks: {} });
  t.same([none.IPAddress, none.Networks], ['', {}]);
});
