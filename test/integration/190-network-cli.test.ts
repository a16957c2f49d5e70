// The `network` commands: create, ls, inspect, exists, rm, prune, connect and
// disconnect (of a stopped container: its record; of a running one: at once),
// and every bad input refused with one line, exit 125 and nothing written.
// Traffic between containers is 200-network's. Root and rootless.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lines, modes, newHusk, type Husk } from '../helpers/husk.js';

interface Attachment {
  name: string;
  aliases: string[];
  ip?: string;
  mac?: string;
}

/** A container's record as husk keeps it (container.json), found by name. */
function recordFile(h: Husk, name: string): string {
  const dir = path.join(h.root, 'containers');
  for (const id of fs.readdirSync(dir)) {
    const file = path.join(dir, id, 'container.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string }).name === name) return file;
  }
  throw new Error(`no record for container ${name}`);
}

const record = (h: Husk, name: string) => JSON.parse(fs.readFileSync(recordFile(h, name), 'utf8')) as { id: string; net?: { mode: { kind: string; networks?: Attachment[] } } };

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const net = (...args: string[]) => h.run(['network', ...args]);
    const names = async (...filters: string[]) => lines((await net('ls', '-q', ...filters.flatMap((f) => ['--filter', f]))).stdout);
    const inspect = async (name: string) => (JSON.parse((await net('inspect', name)).stdout) as Array<Record<string, unknown>>)[0]!;

    t.test('create, ls, inspect, exists', async (t) => {
      const fresh = await net('ls');
      t.equal(fresh.code, 0);
      t.match(fresh.stdout, /^NETWORK ID\s+NAME\s+DRIVER\nc8b1f4b76229\s+husk\s+bridge\n$/, 'the default network is there from the start');

      const c = await net('create', 'n1');
      t.same([c.code, c.stdout, c.stderr], [0, 'n1\n', ''], 'create prints the name');
      const c2 = await net('create', '--subnet', '10.123.0.0/24', '--gateway', '10.123.0.254', '--ip-range', '10.123.0.128/25', '--label', 'app=web', '--label', 'tier', '--internal', '--disable-dns', '-o', 'mtu=1400', 'n2');
      t.same([c2.code, c2.stderr], [0, ''], 'every flag');
      const dup = await net('create', 'n1');
      t.same([dup.code, dup.stderr], [125, 'Error: network name n1 already used: network already exists\n']);
      const ignored = await net('create', '--ignore', 'n1');
      t.same([ignored.code, ignored.stdout], [0, 'n1\n'], '--ignore');

      const ls = await net('ls');
      t.match(ls.stdout, /^NETWORK ID\s+NAME\s+DRIVER\n[0-9a-f]{12}\s+husk\s+bridge\n[0-9a-f]{12}\s+n1\s+bridge\n[0-9a-f]{12}\s+n2\s+bridge\n$/, 'by name, 12-digit ids');
      t.same(await names(), ['husk', 'n1', 'n2'], '-q: names, as podman');
      const ids = lines((await net('ls', '--no-trunc', '--format', '{{.ID}}')).stdout);
      t.equal(ids.length, 3);
      t.ok(ids.every((id) => /^[0-9a-f]{64}$/.test(id)), '--no-trunc: whole ids');
      const tmpl = await net('ls', '--format', '{{.Name}} {{.NetworkInterface}} {{.Internal}} {{.DNSEnabled}} {{.Labels}}', '--filter', 'name=^n');
      t.match(lines(tmpl.stdout), [/^n1 husk\d+ false true $/, /^n2 husk\d+ true false app=web,tier=$/], 'Go template fields; name= is a regular expression');
      const table = await net('ls', '--format', 'table {{.Name}}\t{{.DNSEnabled}}', '--filter', 'name=n2');
      t.same(lines(table.stdout).map((l) => l.split(/\s+/)), [['NAME', 'DNS', 'ENABLED'], ['n2', 'false']], 'table format with a header');
      const json = JSON.parse((await net('ls', '--format', 'json', '--filter', 'name=n2')).stdout) as Array<Record<string, unknown>>;
      t.match(json, [{ name: 'n2', driver: 'bridge', internal: true }], '--format json');
      t.notOk('containers' in json[0]!, 'ls json has no containers');
      t.same(await names('label=app=web'), ['n2'], 'label=K=V');
      t.same(await names('label=tier'), ['n2'], 'label=K');
      t.same(await names('label!=tier'), ['husk', 'n1'], 'label!=K');
      t.ok((await names(`id=${ids[1]!.slice(0, 5)}`)).includes('n1'), 'id= prefix');
      t.same(await names('driver=bridge', 'name=1'), ['n1'], 'keys combine');
      t.same(await names('until=1h'), [], 'until: created before an hour ago');
      t.same(await names('dangling=true'), ['n1', 'n2'], 'dangling: the default network never is');

      const n2 = await inspect('n2');
      t.match(n2, {
        name: 'n2',
        id: /^[0-9a-f]{64}$/,
        driver: 'bridge',
        network_interface: /^husk[1-9]\d*$/,
        created: /^\d{4}-\d\d-\d\dT/,
        subnets: [{ subnet: '10.123.0.0/24', gateway: '10.123.0.254', lease_range: { start_ip: '10.123.0.129', end_ip: '10.123.0.254' } }],
        ipv6_enabled: false,
        internal: true,
        dns_enabled: false,
        labels: { app: 'web', tier: '' },
        options: { mtu: '1400' },
        ipam_options: { driver: 'host-local' },
        containers: {},
      }, "podman's field names");
      const n1 = await inspect('n1');
      t.match(n1, { subnets: [{ subnet: /^10\.89\.\d+\.0\/24$/, gateway: /^10\.89\.\d+\.1$/ }], internal: false, dns_enabled: true }, 'an automatic /24 from 10.89.0.0/16');
      t.not(n1.network_interface, n2.network_interface, 'a bridge each');
      t.match(await inspect('husk'), { subnets: [{ subnet: '10.88.0.0/16', gateway: '10.88.0.1' }], network_interface: 'husk0' });
      t.equal((await inspect(String(n2.id).slice(0, 12))).name, 'n2', 'by an id prefix');
      const f = await net('inspect', '--format', '{{.Name}}: {{range .Subnets}}{{.Subnet}} via {{.Gateway}}{{end}}', 'n2', 'husk');
      t.same(lines(f.stdout), ['n2: 10.123.0.0/24 via 10.123.0.254', 'husk: 10.88.0.0/16 via 10.88.0.1'], 'inspect --format: Go names');
      const j = await net('inspect', '--format', '{{json .Subnets}}', 'n2');
      t.same(JSON.parse(j.stdout), n2.subnets, '{{json}} writes podman\'s JSON names, as Go\'s encoder does');
      const missing = await net('inspect', 'nosuch', 'n1');
      t.same([missing.code, missing.stderr], [125, 'Error: network nosuch not found\n'], 'a missing one is named');
      t.match(JSON.parse(missing.stdout), [{ name: 'n1' }], 'and the others still shown');

      t.equal((await net('exists', 'n1')).code, 0);
      t.equal((await net('exists', 'husk')).code, 0);
      const no = await net('exists', 'nosuch');
      t.same([no.code, no.stdout, no.stderr], [1, '', '']);
    });

    t.test('connect and disconnect change a stopped container\'s record', async (t) => {
      for (const name of ['c1', 'c2']) t.equal((await h.run(['create', '--name', name, '--network', 'husk', 'busybox', 'true'])).code, 0);
      if (mode === 'rootless') {
        t.equal((await h.run(['create', '--name', 'c0', 'busybox', 'true'])).code, 0);
        const pasta = await net('connect', 'n2', 'c0');
        t.same([pasta.code, lines(pasta.stderr).length], [125, 1]);
        t.match(pasta.stderr, /container c0 uses network mode pasta: only a container on bridge networks can be connected/, 'rootless default: pasta, not connectable (podman\'s rule)');
        t.equal((await h.run(['rm', 'c0'])).code, 0);
      }
      const c = await net('connect', '--alias', 'web', '--alias', 'www,api', '--ip', '10.123.0.130', '--mac-address', '02:11:22:AA:bb:cc', 'n2', 'c1');
      t.same([c.code, c.stdout, c.stderr], [0, '', '']);
      t.same(record(h, 'c1').net?.mode, {
        kind: 'bridge',
        networks: [{ name: 'husk', aliases: [] }, { name: 'n2', aliases: ['web', 'www', 'api'], ip: '10.123.0.130', mac: '02:11:22:aa:bb:cc' }],
      }, 'the record: the default network kept, n2 added with what was asked');
      const id = record(h, 'c1').id;
      t.same((await inspect('n2')).containers, { [id]: { name: 'c1' } }, 'inspect lists it (no address until it starts)');
      t.ok(Object.keys((await inspect('husk')).containers as object).includes(id), 'and on the default network');
      t.same(await names('dangling=false'), ['husk', 'n2'], 'n2 is in use now');

      const again = await net('connect', 'n2', 'c1');
      t.same([again.code, again.stderr], [125, 'Error: container c1 is already connected to network n2\n']);
      const taken = await net('connect', '--ip', '10.123.0.130', 'n2', 'c2');
      t.same([taken.code, taken.stderr], [125, 'Error: IP address 10.123.0.130 is already in use on network n2 by container c1\n']);

      t.equal((await h.run(['run', '-d', '--name', 'r1', '--network', 'husk', 'busybox', 'sleep', '1000'])).code, 0);
      const running = await net('connect', 'n1', 'r1');
      t.same([running.code, running.stderr], [0, ''], 'a running container is connected at once');
      const n1Ip = (await h.run(['inspect', '--format', '{{.NetworkSettings.Networks.n1.IPAddress}}', 'r1'])).stdout.trim();
      t.match(n1Ip, /^\d+\.\d+\.\d+\.\d+$/, 'inspect: its address on n1');
      t.match((await h.run(['exec', 'r1', 'ip', '-4', 'addr'])).stdout, new RegExp(`inet ${n1Ip.replace(/\./g, '\\.')}/`), 'the address is on an interface in the container');
      const unplug = await net('disconnect', 'n1', 'r1');
      t.same([unplug.code, unplug.stderr], [0, ''], 'and disconnected at once');
      t.notMatch((await h.run(['exec', 'r1', 'ip', '-4', 'addr'])).stdout, new RegExp(`inet ${n1Ip.replace(/\./g, '\\.')}/`), 'the interface is gone');
      t.equal((await h.run(['rm', '-f', 'r1'])).code, 0);

      const d = await net('disconnect', 'n2', 'c1');
      t.same([d.code, d.stdout, d.stderr], [0, '', '']);
      t.same(record(h, 'c1').net?.mode.networks?.map((a) => a.name), ['husk'], 'gone from the record');
      const d2 = await net('disconnect', 'n2', 'c1');
      t.same([d2.code, d2.stderr], [125, 'Error: container c1 is not connected to network n2\n']);
      t.same((await inspect('n2')).containers, {});
    });

    t.test('bad input: one line, exit 125, nothing written', async (t) => {
      const before = h.listStore();
      const listed = (await net('ls', '--no-trunc')).stdout;
      const cases: string[][] = [
        ['create', 'bad/name'],
        ['create', 'none'],
        ['create', 'host'],
        ['create', '-d', 'macvlan', 'x'],
        ['create', '--subnet', '10.123.0.0/16', 'x'],
        ['create', '--subnet', '10.88.7.0/24', 'x'],
        ['create', '--subnet', 'fd00::/64', 'x'],
        ['create', '--subnet', 'nonsense', 'x'],
        ['create', '--subnet', '10.77.0.0/31', 'x'],
        ['create', '--subnet', '10.77.0.0/24', '--gateway', '10.78.0.1', 'x'],
        ['create', '--subnet', '10.77.0.0/24', '--gateway', '10.77.0.255', 'x'],
        ['create', '--gateway', '10.77.0.1', 'x'],
        ['create', '--subnet', '10.77.0.0/24', '--ip-range', '10.78.0.0/25', 'x'],
        ['create', '--subnet', '10.77.0.0/24', '--subnet', '10.78.0.0/24', 'x'],
        ['create', '-o', 'com.docker.network.bridge.name=br9', 'x'],
        ['create', '-o', 'mtu=abc', 'x'],
        ['create', '--ipv6', 'x'],
        ['create', 'n1'],
        ['create'],
        ['ls', '--filter', 'bogus=1'],
        ['ls', '--filter', 'dangling=maybe'],
        ['ls', '--filter', 'name=['],
        ['prune', '--filter', 'name=x'],
        ['inspect', '--format', '{{.Name', 'n1'],
        ['rm', 'husk'],
        ['rm', '-t', '5', 'n1'],
        ['connect', '--ip', '10.9.9.9', 'n2', 'c2'],
        ['connect', '--ip', '10.123.0.254', 'n2', 'c2'],
        ['connect', '--mac-address', 'zz', 'n2', 'c2'],
        ['connect', '--mac-address', '01:00:5e:00:00:01', 'n2', 'c2'],
        ['connect', '--ip6', 'fd00::5', 'n2', 'c2'],
        ['connect', '--alias', '-bad', 'n2', 'c2'],
        ['connect', 'n1', 'nosuch'],
        ['connect', 'nosuch', 'c2'],
        ['disconnect', 'n1', 'c2'],
        ['connect', 'n1'],
      ];
      for (const args of cases) {
        const r = await net(...args);
        t.equal(r.code, 125, `network ${args.join(' ')}: 125`);
        t.equal(lines(r.stderr).length, 1, `network ${args.join(' ')}: one line (${r.stderr.trim()})`);
        t.match(r.stderr, /^Error: /);
      }
      t.same(h.listStore(), before, 'nothing written to the store');
      t.equal((await net('ls', '--no-trunc')).stdout, listed, 'the same networks');
    });

    t.test('rm and prune', async (t) => {
      const nosuch = await net('rm', 'nosuch');
      t.same([nosuch.code, nosuch.stderr], [1, 'Error: network nosuch not found\n'], "podman's exit code 1 for a missing network");
      const forced = await net('rm', '-f', 'nosuch');
      t.same([forced.code, forced.stdout, forced.stderr], [0, '', ''], '-f: no error for a missing one');

      t.equal((await net('connect', 'n2', 'c2')).code, 0);
      const inUse = await net('rm', 'n2');
      t.same([inUse.code, inUse.stderr], [2, 'Error: "n2" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used\n'], "podman's exit code 2 and words when in use");
      t.equal((await net('exists', 'n2')).code, 0, 'still there');
      const rmf = await net('rm', '-f', '-t', '0', 'n2');
      t.same([rmf.code, rmf.stdout], [0, 'n2\n'], 'rm -f');
      t.notOk(lines((await h.run(['ps', '-a', '--format', '{{.Names}}'])).stdout).includes('c2'), 'its container went first');

      for (const n of ['p1', 'p2', 'p3']) t.equal((await net('create', ...(n === 'p2' ? ['--label', 'keep=1'] : []), n)).code, 0);
      t.equal((await net('connect', 'p3', 'c1')).code, 0);
      const some = await net('prune', '--filter', 'label!=keep=1');
      t.same([some.code, lines(some.stdout).sort()], [0, ['n1', 'p1']], 'prune --filter label!=: unused ones without the label');
      const all = await net('prune', '-f');
      t.same([all.code, lines(all.stdout)], [0, ['p2']], 'prune: every unused one (husk never asks)');
      t.same(await names(), ['husk', 'p3'], 'the default network and one in use stay');
      const many = await net('rm', 'p3', 'nosuch');
      t.equal(many.code, 1, 'one report per name; the last failure sets the code');
      t.match(many.stderr, /"p3" has associated containers with it/);
      t.match(many.stderr, /network nosuch not found/);
      t.equal((await net('rm', '--force', 'p3')).code, 0);
      t.same(await names(), ['husk']);
      t.same(await h.containerIds(), [], 'c1 was removed with p3');
    });
  });
}
