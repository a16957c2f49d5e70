// The user network store and its addresses (lib/network/store.ts), with the
// host's routes and interfaces given by the test: the default network, subnet
// and bridge choice, the checks of create, remove and prune, and IPAM
// (requested addresses, ip ranges, stale addresses, two processes at once).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { ConflictError, HuskError, NotFoundError } from '../../lib/core/errors.js';
import { DEFAULT_NETWORK } from '../../lib/core/network.js';
import type { HostNetworkView, HostRoute } from '../../lib/network/host.js';
import { parseProcNetRoute } from '../../lib/network/host.js';
import { parseCidr } from '../../lib/network/ipv4.js';
import { checkMac, DEFAULT_NETWORK_ID, macFromIp, NetworkStore } from '../../lib/network/store.js';
import { tempDir, usageError } from './fixtures/helpers.js';

type T = Test;

function route(cidr: string, iface = 'eth0'): HostRoute {
  return { destination: parseCidr(cidr)!, iface };
}

function newStore(t: T, host: Partial<HostNetworkView> = {}) {
  const dataRoot = tempDir(t);
  const view: HostNetworkView = { routes: host.routes ?? (() => []), interfaces: host.interfaces ?? (() => []) };
  return { dataRoot, store: new NetworkStore({ paths: { dataRoot } }, view) };
}

const none = () => [];
const live = () => true;

/** The files of the store, lock left out. */
const files = (dataRoot: string) => {
  try {
    return fs.readdirSync(path.join(dataRoot, 'networks')).filter((f) => f !== 'networks.lock').sort();
  } catch {
    return [];
  }
};

function throwsClass(t: T, fn: () => unknown, cls: new (...a: never[]) => Error, pattern: RegExp): void {
  try {
    fn();
    t.fail(`expected a ${cls.name}`);
  } catch (err) {
    t.ok(err instanceof cls, `${cls.name} expected, got ${(err as Error).constructor.name}: ${(err as Error).message}`);
    t.match((err as Error).message, pattern);
  }
}

t.test('the default network exists from the first use, as podman\'s "podman" does', async (t) => {
  const { dataRoot, store } = newStore(t);
  t.same(files(dataRoot), [], 'nothing before');
  const all = store.list();
  t.same(all.map((n) => n.name), [DEFAULT_NETWORK]);
  const d = all[0]!;
  t.match(d, { name: 'husk', id: DEFAULT_NETWORK_ID, driver: 'bridge', bridge: 'husk0', subnet: '10.88.0.0/16', gateway: '10.88.0.1', internal: false, dnsEnabled: false, labels: {} });
  t.same(files(dataRoot), ['husk.json'], 'written once');
  t.equal(store.list()[0]!.created, d.created, 'and kept');
  t.equal(store.get('husk').id, DEFAULT_NETWORK_ID);
  t.equal(store.get(DEFAULT_NETWORK_ID.slice(0, 6)).name, 'husk', 'found by an id prefix');
  t.ok(store.exists('husk'));
  t.ok(new NetworkStore({ paths: { dataRoot: tempDir(t) } }).exists('husk'), 'exists on a fresh store too');
});

t.test('automatic subnets: the first free /24 from 10.89.0.0, past other networks and host routes', async (t) => {
  let routes = [route('192.168.1.0/24')];
  const { store } = newStore(t, { routes: () => routes });
  t.equal(store.create('a', {}).subnet, '10.89.0.0/24');
  t.equal(store.create('b', {}).subnet, '10.89.1.0/24');
  routes = [route('10.89.2.0/23', 'wg0')];
  const c = store.create('c', {});
  t.same([c.subnet, c.gateway], ['10.89.4.0/24', '10.89.4.1'], 'a host route covering two /24s is skipped');
  store.remove('a', none);
  t.equal(store.create('d', {}).subnet, '10.89.0.0/24', 'a freed subnet is used again');
  routes = [route('10.89.0.0/16')];
  t.equal(store.create('e', {}).subnet, '10.90.0.0/24', 'then the next pool, as podman\'s default_subnet_pools');
});

t.test('bridge names: husk0 is the default network\'s; husk1, husk2... first free, past live interfaces', async (t) => {
  let ifaces = ['lo', 'eth0'];
  const { store } = newStore(t, { interfaces: () => ifaces });
  t.equal(store.create('a', {}).bridge, 'husk1');
  ifaces = ['lo', 'husk2'];
  t.equal(store.create('b', {}).bridge, 'husk3', 'an interface of the host is not taken');
  store.remove('a', none);
  t.equal(store.create('c', {}).bridge, 'husk1', 'a freed name is used again');
});

t.test('--subnet, --gateway, --ip-range', async (t) => {
  const { dataRoot, store } = newStore(t, { routes: () => [route('192.0.2.0/24')] });
  const n = store.create('n', { subnet: '10.1.2.3/24', ipRange: '10.1.2.128/25', internal: true, disableDns: true, labels: { a: 'b' }, options: { mtu: '1400' } });
  t.match(n, { subnet: '10.1.2.0/24', gateway: '10.1.2.1', ipRange: '10.1.2.128/25', internal: true, dnsEnabled: false, labels: { a: 'b' }, mtu: 1400 }, 'host bits cleared, as podman does; gateway: the first host');
  t.match(n.id, /^[0-9a-f]{64}$/);
  t.equal(store.create('g', { subnet: '10.2.0.0/16', gateway: '10.2.3.4' }).gateway, '10.2.3.4');
  const before = files(dataRoot);
  usageError(t, () => store.create('x', { subnet: '10.1.0.0/16' }), 'subnet 10.1.0.0/16 overlaps the subnet 10.1.2.0/24 of network n');
  usageError(t, () => store.create('x', { subnet: '10.1.2.64/26' }), /overlaps the subnet 10.1.2.0\/24 of network n/);
  usageError(t, () => store.create('x', { subnet: '10.88.1.0/24' }), /of network husk/); // the default network counts
  usageError(t, () => store.create('x', { subnet: '192.0.2.128/25' }), 'already used on the host: it overlaps the route to 192.0.2.0/24 via eth0');
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/24', gateway: '10.4.0.1' }), 'gateway 10.4.0.1 not in subnet 10.3.0.0/24');
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/24', gateway: '10.3.0.0' }), /network address/);
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/24', gateway: '10.3.0.255' }), /broadcast address/);
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/24', gateway: 'gw' }), /invalid gateway "gw"/);
  usageError(t, () => store.create('x', { gateway: '10.3.0.1' }), /without subnet/);
  usageError(t, () => store.create('x', { ipRange: '10.3.0.0/25' }), /without subnet/);
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/24', ipRange: '10.3.0.0/23' }), 'ip range 10.3.0.0/23 is not inside subnet 10.3.0.0/24');
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/24', ipRange: '10.4.0.0/25' }), /not inside/);
  usageError(t, () => store.create('x', { subnet: '10.3.0.0' }), /expected an IPv4 CIDR/);
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/33' }), /expected an IPv4 CIDR/);
  usageError(t, () => store.create('x', { subnet: '10.03.0.0/24' }), /expected an IPv4 CIDR/);
  usageError(t, () => store.create('x', { subnet: '10.3.0.0/31' }), /too small/);
  usageError(t, () => store.create('x', { subnet: 'fd00::/64' }), /IPv6 is not supported yet/);
  usageError(t, () => store.create('x', { options: { mtu: 'big' } }), /mtu=big/);
  usageError(t, () => store.create('x', { options: { 'com.docker.network.bridge.name': 'br0' } }), /only mtu=N/);
  usageError(t, () => store.create('x', { driver: 'macvlan' }), 'network driver macvlan is not supported: use bridge');
  t.same(files(dataRoot), before, 'nothing written by any of them');
});

t.test('names: docker\'s rule, podman\'s reserved words, one per network', async (t) => {
  const { dataRoot, store } = newStore(t);
  for (const bad of ['', '-a', 'a/b', 'a b', 'ä', '.x']) usageError(t, () => store.create(bad, {}), /names must match/);
  for (const mode of ['none', 'host', 'bridge', 'private', 'slirp4netns', 'pasta', 'container', 'ns', 'default']) {
    usageError(t, () => store.create(mode, {}), /conflicts with a valid network mode/);
  }
  usageError(t, () => store.create('x.alloc', {}), /reserved/);
  usageError(t, () => store.create('a'.repeat(245), {}), /at most 244/);
  t.same(files(dataRoot), [], 'nothing written for bad names');
  store.create('a_b.c-1', {});
  throwsClass(t, () => store.create('a_b.c-1', {}), ConflictError, /network name a_b.c-1 already used/);
  throwsClass(t, () => store.create('husk', {}), ConflictError, /already used/);
});

t.test('get: by name, then by a unique id prefix', async (t) => {
  const { dataRoot, store } = newStore(t);
  const a = store.create('a', {});
  t.equal(store.get(a.id.slice(0, 12)).name, 'a');
  t.equal(store.get(a.id).name, 'a');
  throwsClass(t, () => store.get('nosuch'), NotFoundError, /^network nosuch not found$/);
  t.notOk(store.exists('nosuch'));
  // Two networks whose ids share a prefix (b's id made so): the prefix is ambiguous.
  const b = store.create('b', {});
  const file = path.join(dataRoot, 'networks', 'b.json');
  const bId = a.id.slice(0, 10) + (a.id[10] === '0' ? '1' : '0') + a.id.slice(11);
  fs.writeFileSync(file, JSON.stringify({ ...b, id: bId }));
  throwsClass(t, () => store.get(a.id.slice(0, 10)), ConflictError, /"[0-9a-f]{10}" is ambiguous: it matches 2 networks \(a, b\)/);
  t.equal(store.get(a.id.slice(0, 11)).name, 'a');
  t.equal(store.get('b').id, bId, 'a name is never read as an id');
});

t.test('remove and prune', async (t) => {
  const { dataRoot, store } = newStore(t);
  store.create('a', {});
  store.create('b', { labels: { keep: '1' } });
  store.create('c', {});
  store.allocate('a', 'c1', { isLive: live });
  usageError(t, () => store.remove('husk', none), 'default network husk cannot be removed');
  const attached = (n: string) => (n === 'c' ? ['web'] : []);
  throwsClass(t, () => store.remove('c', attached), ConflictError, /"c" has associated containers with it\. Use -f to forcibly delete containers and pods: network is being used/);
  throwsClass(t, () => store.remove('nosuch', none), NotFoundError, /not found/);
  t.equal(store.remove('a', attached).name, 'a');
  t.notOk(files(dataRoot).some((f) => f.startsWith('a.')), 'record and addresses gone');
  store.create('a', {});
  t.same(store.allocations('a'), {}, 'a new network of the same name starts with no addresses');
  t.same(store.prune(attached, (r) => r.labels.keep === undefined), [{ name: 'a' }], 'unused, selected, never the default');
  t.same(store.list().map((n) => n.name), ['b', 'c', 'husk']);
  t.equal(store.remove('c', attached, true).name, 'c', 'force');
});

t.test('IPAM: automatic, requested, per container', async (t) => {
  const { dataRoot, store } = newStore(t);
  store.create('n', { subnet: '10.5.0.0/24' });
  const first = store.allocate('n', 'c1', { isLive: live });
  t.same(first, { ip: '10.5.0.2', prefixLen: 24, gateway: '10.5.0.1', mac: '02:42:0a:05:00:02' }, 'the first host after the gateway; docker\'s MAC');
  t.equal(store.allocate('n', 'c2', { isLive: live }).ip, '10.5.0.3');
  t.equal(store.allocate('n', 'c1', { isLive: live }).ip, '10.5.0.2', 'a container keeps its address');
  t.same(JSON.parse(fs.readFileSync(path.join(dataRoot, 'networks', 'n.alloc.json'), 'utf8')), { c1: '10.5.0.2', c2: '10.5.0.3' });
  t.equal(store.allocate('n', 'c3', { ip: '10.5.0.200', isLive: live }).ip, '10.5.0.200', '--ip');
  throwsClass(t, () => store.allocate('n', 'c4', { ip: '10.5.0.200', isLive: live }), ConflictError, /10.5.0.200 is already in use on network n by container c3/);
  usageError(t, () => store.allocate('n', 'c4', { ip: '10.5.0.1', isLive: live }), 'is the gateway of network n');
  usageError(t, () => store.allocate('n', 'c4', { ip: '10.5.0.0', isLive: live }), /network address/);
  usageError(t, () => store.allocate('n', 'c4', { ip: '10.5.0.255', isLive: live }), /broadcast address/);
  usageError(t, () => store.allocate('n', 'c4', { ip: '10.6.0.9', isLive: live }), 'IP address 10.6.0.9 is not in subnet 10.5.0.0/24 of network n');
  usageError(t, () => store.allocate('n', 'c4', { ip: 'ten', isLive: live }), /invalid IP address/);
  usageError(t, () => store.allocate('n', 'c4', { mac: '02:42', isLive: live }), /invalid MAC address/);
  t.equal(store.allocate('n', 'c4', { mac: '02-AA-BB-CC-DD-EE', isLive: live }).mac, '02:aa:bb:cc:dd:ee', 'a given MAC, normalised');
  t.equal(store.allocate('n', 'c4', { isLive: live }).ip, '10.5.0.4');
  store.release('n', 'c2');
  t.equal(store.allocate('n', 'c5', { isLive: live }).ip, '10.5.0.3', 'a released address is the first free one again');
  store.release('n', 'nosuch');
  store.release('gone', 'c1');
  t.equal(store.allocate('husk', 'c1', { isLive: live }).ip, '10.88.0.2', 'the default network hands out addresses too');
  throwsClass(t, () => store.allocate('nosuch', 'c1', { isLive: live }), NotFoundError, /network nosuch not found/);
});

t.test('IPAM: stale addresses are freed when their container is gone', async (t) => {
  const { store } = newStore(t);
  store.create('n', { subnet: '10.5.0.0/24' });
  store.allocate('n', 'old1', { isLive: live });
  store.allocate('n', 'old2', { ip: '10.5.0.9', isLive: live });
  const alive = new Set(['old2']);
  t.equal(store.allocate('n', 'new', { isLive: (id) => alive.has(id) }).ip, '10.5.0.2', 'old1 no longer exists: its address is free');
  t.same(store.allocations('n'), { old2: '10.5.0.9', new: '10.5.0.2' });
  alive.delete('old2');
  t.equal(store.allocate('n', 'other', { ip: '10.5.0.9', isLive: (id) => alive.has(id) || id === 'new' }).ip, '10.5.0.9', 'a requested address held by a gone container');
});

t.test('IPAM: --ip-range, a gateway inside it, exhaustion', async (t) => {
  const { store } = newStore(t);
  store.create('r', { subnet: '10.7.0.0/24', ipRange: '10.7.0.128/30', gateway: '10.7.0.129' });
  t.equal(store.allocate('r', 'a', { isLive: live }).ip, '10.7.0.130', 'the range\'s hosts (podman\'s lease range), not its gateway');
  throwsClass(t, () => store.allocate('r', 'b', { isLive: live }), HuskError, /network r has no free IP address left in 10.7.0.128\/30/);
  t.equal(store.allocate('r', 'b', { ip: '10.7.0.5', isLive: live }).ip, '10.7.0.5', 'a requested address may lie outside the range');
  store.create('small', { subnet: '10.8.0.0/30' });
  t.equal(store.allocate('small', 'a', { isLive: live }).ip, '10.8.0.2', 'a /30 has one address besides its gateway');
  throwsClass(t, () => store.allocate('small', 'b', { isLive: live }), HuskError, /no free IP address left/);
});

t.test('IPAM: two processes allocating at once get different addresses (networks.lock)', async (t) => {
  const { dataRoot, store } = newStore(t);
  store.create('n', { subnet: '10.9.0.0/24' });
  const script = fileURLToPath(new URL('./fixtures/network-allocate.ts', import.meta.url));
  const loader = process.execArgv.filter((a) => a.includes('typescript'));
  const run = (prefix: string) =>
    new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, [...loader, script, dataRoot, 'n', prefix, '40'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`child exited ${code}`))));
    });
  const [a, b] = await Promise.all([run('a'), run('b')]);
  const all = [...a, ...b];
  t.equal(all.length, 80);
  t.equal(new Set(all).size, 80, 'no address given twice');
  t.equal(Object.keys(store.allocations('n')).length, 80, 'every allocation kept: no lost update');
});

t.test('MACs and host routes', async (t) => {
  t.equal(macFromIp('10.89.0.2'), '02:42:0a:59:00:02');
  t.equal(macFromIp('255.1.16.128'), '02:42:ff:01:10:80');
  t.equal(checkMac('02:AB:cd:00:11:22'), '02:ab:cd:00:11:22');
  usageError(t, () => checkMac('03:00:00:00:00:01'), /multicast/);
  usageError(t, () => checkMac('02:00:00:00:00'), /invalid MAC/);
  usageError(t, () => checkMac('02:00-00:00:00:01'), /invalid MAC/);
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'husk1\t0000590A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'down0\t0000000B\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0',
  ].join('\n');
  const routes = parseProcNetRoute(text, true).map((r) => `${r.iface} ${r.destination.base >>> 24}.${(r.destination.base >>> 16) & 255}.${(r.destination.base >>> 8) & 255}.${r.destination.base & 255}/${r.destination.prefixLen}`);
  t.same(routes, ['eth0 192.0.2.0/24', 'husk1 10.89.0.0/16'], 'little-endian; the default route and routes that are down left out');
  const be = parseProcNetRoute('h\nx\tC0000200\t0\t0001\t0\t0\t0\tFFFFFF00\t0\t0\t0', false);
  t.same(be.map((r) => r.destination), [parseCidr('192.0.2.0/24')], 'big-endian');
});
