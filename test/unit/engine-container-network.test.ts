// ps, port and inspect read a container's networking from its record's
// config and, while it runs, from the network.json its start wrote: here
// with fabricated records, states and statuses.
import fs from 'node:fs';
import t, { type Test } from 'tap';
import { type ContainerNetworkConfig, type NetworkStatus } from '../../lib/core/network.js';
import { inspectContainer } from '../../lib/engine/inspect.js';
import { legacyNetwork } from '../../lib/engine/create.js';
import { networkConfigOf, psNetworks, psPorts, publishedPorts } from '../../lib/engine/container-network.js';
import { ContainerStore, procStartTime, readNetworkStatus, type ContainerRecord, type ContainerView } from '../../lib/runtime/container-store.js';
import { fakeContext, recordingNative } from '../helpers/fake-native.js';

const NET: ContainerNetworkConfig = {
  mode: { kind: 'bridge', networks: [{ name: 'front', aliases: ['web'] }] },
  ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' }],
  publishAll: false,
  expose: ['80/tcp', '9000/tcp'],
  addHosts: [],
  noHosts: false,
  dns: [],
  dnsSearch: [],
  dnsOptions: [],
};

const STATUS: NetworkStatus = {
  ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '', hostPort: 41000, containerPort: 53, protocol: 'udp' }],
  networks: { front: { networkId: 'a'.repeat(64), ip: '10.89.0.5', prefixLen: 24, gateway: '10.89.0.1', mac: '02:00:0a:59:00:05', aliases: ['web', 'c0ffee000000'], interface: 'eth0' } },
};

function record(id: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id, name: `c-${id.slice(0, 4)}`, image: 'busybox', imageId: 'f'.repeat(64), imageName: 'busybox', args: ['sh'], created: new Date().toISOString(),
    autoRemove: false, tty: false, openStdin: false, hostname: id.slice(0, 12), network: 'private', storageDriver: 'overlay', rootless: true, ...over,
  };
}

/** A container on disk: running (this process stands in for its init) or exited, with a network.json when given. */
function fabricate(t: Test, rec: ContainerRecord, running: boolean, status?: NetworkStatus) {
  const ctx = fakeContext(recordingNative().native);
  t.teardown(() => ctx.cleanup());
  const store = new ContainerStore(ctx);
  const p = store.paths(rec.id);
  fs.mkdirSync(p.dir, { recursive: true });
  fs.mkdirSync(p.run, { recursive: true });
  fs.writeFileSync(p.record, JSON.stringify(rec));
  fs.writeFileSync(p.state, JSON.stringify({ pid: process.pid, pidStartTime: procStartTime(process.pid), monitorPid: process.pid, startedAt: rec.created }));
  if (!running) fs.writeFileSync(p.exit, JSON.stringify({ exitCode: 0, finishedAt: rec.created }));
  if (status) fs.writeFileSync(p.networkStatus, JSON.stringify(status));
  const view = store.view(rec.id)!;
  t.equal(view.status, running ? 'running' : 'exited');
  return { ctx, view, paths: p };
}

const ID = 'c0ffee'.padEnd(64, '0');

t.test('readNetworkStatus: the run dir\'s network.json, or none', async (t) => {
  const { paths } = fabricate(t, record(ID, { net: NET }), true, STATUS);
  t.same(readNetworkStatus(paths), STATUS);
  fs.writeFileSync(paths.networkStatus, '{"ports": [');
  t.equal(readNetworkStatus(paths), undefined, 'a torn file');
  fs.rmSync(paths.networkStatus);
  t.equal(readNetworkStatus(paths), undefined, 'no file');
});

t.test('a running container: ports as bound', async (t) => {
  const { ctx, view } = fabricate(t, record(ID, { net: NET }), true, STATUS);
  t.same(publishedPorts(ctx, view), STATUS.ports);
  t.equal(psPorts(ctx, view), '0.0.0.0:8080->80/tcp, 0.0.0.0:41000->53/udp, 9000/tcp');
  t.equal(psNetworks(view), 'front');
  const inspect = inspectContainer(ctx, view) as { HostConfig: Record<string, unknown>; NetworkSettings: Record<string, any> };
  t.equal(inspect.HostConfig.NetworkMode, 'front');
  t.same(inspect.HostConfig.PortBindings, { '53/udp': [{ HostIp: '', HostPort: '' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  t.same(inspect.NetworkSettings.Ports, {
    '53/udp': [{ HostIp: '0.0.0.0', HostPort: '41000' }],
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
    '9000/tcp': null,
  });
  t.equal(inspect.NetworkSettings.IPAddress, '10.89.0.5');
  t.equal(inspect.NetworkSettings.SandboxKey, `/proc/${process.pid}/ns/net`);
  t.match(inspect.NetworkSettings.Networks.front, { IPAddress: '10.89.0.5', Aliases: ['web', 'c0ffee000000'], NetworkID: 'a'.repeat(64) });
});

t.test('a stopped container: no ports, PortBindings kept', async (t) => {
  const { ctx, view } = fabricate(t, record(ID, { net: NET }), false, STATUS);
  t.same(publishedPorts(ctx, view), [], 'a network.json left behind is not read');
  t.equal(psPorts(ctx, view), '');
  const inspect = inspectContainer(ctx, view) as { HostConfig: Record<string, unknown>; NetworkSettings: Record<string, any> };
  t.same(inspect.HostConfig.PortBindings, { '53/udp': [{ HostIp: '', HostPort: '' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  t.same(inspect.NetworkSettings.Ports, {});
  t.equal(inspect.NetworkSettings.IPAddress, '');
  t.match(inspect.NetworkSettings.Networks.front, { IPAddress: '', Aliases: ['web'] });
});

t.test('a running container without network.json (started before the wiring)', async (t) => {
  const { ctx, view } = fabricate(t, record(ID, { net: NET }), true);
  t.same(publishedPorts(ctx, view), []);
  t.equal(psPorts(ctx, view), '');
});

t.test('records from before the net field', async (t) => {
  for (const [network, mode] of [['private', 'none'], ['none', 'none'], ['host', 'host']] as const) {
    const { ctx, view } = fabricate(t, record(ID, { network }), true);
    t.equal(networkConfigOf(view.record).mode.kind, mode, network);
    t.equal(psNetworks(view), network);
    t.equal((inspectContainer(ctx, view) as { HostConfig: Record<string, unknown> }).HostConfig.NetworkMode, mode);
    t.same((inspectContainer(ctx, view) as { NetworkSettings: Record<string, unknown> }).NetworkSettings.Networks, {});
  }
});

t.test('ps reads the view only: a view not running never touches the run dir', async (t) => {
  const { ctx, view } = fabricate(t, record(ID, { net: NET }), false);
  const created: ContainerView = { ...view, status: 'created' };
  t.equal(psPorts(ctx, created), '');
});

t.test('legacyNetwork: the record\'s one-word network of before', async (t) => {
  t.equal(legacyNetwork({ kind: 'none' }), 'none');
  t.equal(legacyNetwork({ kind: 'host' }), 'host');
  t.equal(legacyNetwork({ kind: 'pasta', options: [] }), 'private');
  t.equal(legacyNetwork({ kind: 'bridge', networks: [{ name: 'mynet', aliases: [] }] }), 'private');
  t.equal(legacyNetwork({ kind: 'container', container: 'x' }), 'private');
});
