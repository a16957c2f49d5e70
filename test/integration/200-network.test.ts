// Networking as a user sees it: a published port reached from the host, UDP,
// -P, user networks with names, isolation between networks, the host reached
// by name, a port conflict refused cleanly, forwarders gone with their
// container, bad values refused. Traffic only to loopback and to namespaces
// these tests make.
import t from 'tap';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fixtures, Husk, lines, modes, newHusk, waitFor } from '../helpers/husk.js';
import { fetchText, freePort } from '../helpers/net.js';

/** Whether something accepts connections on 127.0.0.1:port right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); resolve(true); }).on('error', () => resolve(false));
  });
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* gone */
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** Runs husk and SIGKILLs the husk process itself (not runuser) when its trace reaches `marker`. */
async function killAt(h: Husk, args: string[], marker: string): Promise<void> {
  const child = h.spawn(args, { env: { HUSK_TRACE: '1' } });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (!stderr.includes(` ${marker}\n`)) return;
    // Rootless, runuser is the child and husk (node) below it.
    const husk = [child.pid!, ...descendants(child.pid!)].find((pid) => cmdline(pid).includes('bin/husk'));
    if (husk) process.kill(husk, 'SIGKILL');
  });
  await new Promise((r) => child.once('exit', r));
}

const httpd = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

/** This store's forwarders: husk-net names the container's run dir (under h.dir) in its command line. */
const netHelpers = (h: Husk) => Husk.pidsMatching(h.dir).filter((pid) => cmdline(pid).includes('husk-net\0forward\0--container\0'));

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    t.test('a published TCP port: busybox httpd in the container, fetched from the host', async (t) => {
      const port = await freePort();
      const r = await h.run(['run', '-d', '--name', 'web', '-p', `${port}:80`, 'busybox', ...httpd('hello-from-web')]);
      t.equal(r.code, 0, 'run -d -p exits 0', { stderr: r.stderr });
      t.equal(await fetchText(port), 'hello-from-web\n', 'the page arrives through 127.0.0.1');
      const portOut = await h.run(['port', 'web']);
      t.match(portOut.stdout, new RegExp(`80/tcp -> 0\\.0\\.0\\.0:${port}`), 'husk port lists the mapping');
      const ps = await h.run(['ps', '--format', '{{.Ports}}']);
      t.match(ps.stdout, new RegExp(`0\\.0\\.0\\.0:${port}->80/tcp`), 'ps shows it in PORTS');
      const insp = await h.run(['inspect', '--format', '{{json .NetworkSettings.Ports}}', 'web']);
      t.match(insp.stdout, new RegExp(`"80/tcp":\\[\\{"HostIp":"0.0.0.0","HostPort":"${port}"\\}\\]`), 'inspect NetworkSettings.Ports');
      const rm = await h.run(['rm', '-f', 'web']);
      t.equal(rm.code, 0);
      await waitFor(async () => !(await accepts(port)), 15_000);
      t.notOk(await accepts(port), 'rm -f: nothing listens on the port any more');
      await waitFor(() => netHelpers(h).length === 0, 15_000);
      t.same(netHelpers(h), [], 'no husk-net of this store is left');
    });

    t.test('a published UDP port: a datagram in, the answer back', async (t) => {
      const port = await freePort();
      const r = await h.run(['run', '-d', '--name', 'udp', '-p', `${port}:5353/udp`, '-v', `${fixtures.udpEcho}:/udp-echo:ro`, 'busybox', '/udp-echo', '5353']);
      t.equal(r.code, 0, 'run -d exits 0', { stderr: r.stderr });
      const sock = dgram.createSocket('udp4');
      const answer = new Promise<string>((resolve) => sock.on('message', (m) => resolve(m.toString())));
      let got: string | undefined;
      // Bounded: until the server in the container answers.
      for (let i = 0; i < 50 && got === undefined; i++) {
        sock.send('ping-udp', port, '127.0.0.1');
        got = await Promise.race([answer, new Promise<undefined>((res) => setTimeout(res, 100))]);
      }
      sock.close();
      t.equal(got, 'echo:ping-udp', 'the answer came back through the published port');
      t.match((await h.run(['logs', 'udp'])).stdout, /ping-udp/, 'the container got the datagram');
      await h.run(['rm', '-f', 'udp']);
    });

    t.test('-P publishes every exposed port on a free host port', async (t) => {
      const r = await h.run(['run', '-d', '--name', 'pall', '--expose', '80', '-P', 'busybox', ...httpd('published-all')]);
      t.equal(r.code, 0, { stderr: r.stderr });
      const out = await h.run(['port', 'pall', '80']);
      const m = /:(\d+)$/.exec(out.stdout.trim());
      t.ok(m, `husk port names the host port: ${out.stdout}`);
      t.equal(await fetchText(Number(m![1])), 'published-all\n');
      await h.run(['rm', '-f', 'pall']);
    });

    t.test('a host port in use is refused before the container starts, nothing left', async (t) => {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', r));
      const port = (blocker.address() as net.AddressInfo).port;
      t.teardown(() => new Promise((r) => blocker.close(r)));
      const r = await h.run(['run', '--rm', '-p', `${port}:80`, 'busybox', 'true']);
      t.equal(r.code, 125, 'exit 125');
      t.equal(lines(r.stderr).length, 1, 'one line');
      t.match(r.stderr, new RegExp(`${port}.*already in use`), 'naming the port');
      t.same(await h.containerIds(), [], 'no container left');
      await waitFor(() => Husk.pidsMatching(h.dir).length === 0, 15_000);
      t.same(Husk.pidsMatching(h.dir), [], 'no process of this store left: no init, monitor or forwarder');
    });

    t.test('--add-host, --dns, --dns-search, --dns-option, --no-hosts', async (t) => {
      const r = await h.run(['run', '--rm', '--add-host', 'db.test:10.1.2.3', '--add-host', 'gw.test:host-gateway', '--dns', '10.9.9.9', '--dns-search', 'example.test', '--dns-option', 'ndots:3', 'busybox', 'cat', '/etc/hosts', '/etc/resolv.conf']);
      t.equal(r.code, 0, { stderr: r.stderr });
      t.match(r.stdout, /^10\.1\.2\.3\s+db\.test$/m, '--add-host');
      t.match(r.stdout, /^\S+\s+gw\.test$/m, '--add-host NAME:host-gateway');
      t.match(r.stdout, /^\S+\s+host\.containers\.internal host\.docker\.internal$/m, 'the host by name');
      t.match(r.stdout, /^nameserver 10\.9\.9\.9$/m, '--dns');
      t.notMatch(r.stdout, /^nameserver (?!10\.9\.9\.9)/m, 'only that nameserver');
      t.match(r.stdout, /^search example\.test$/m, '--dns-search');
      t.match(r.stdout, /^options ndots:3$/m, '--dns-option');
      const own = await h.run(['run', '--rm', '--no-hosts', 'busybox', 'cat', '/etc/hosts']);
      t.notMatch(own.stdout, /host\.containers\.internal/, '--no-hosts: the image\'s own /etc/hosts');
      const both = await h.run(['run', '--rm', '--no-hosts', '--add-host', 'a:1.2.3.4', 'busybox', 'true']);
      t.same([both.code, lines(both.stderr).length], [125, 1], '--no-hosts with --add-host: one line, 125');
    });

    t.test('husk killed with SIGKILL during run -p: no forwarder outlives its container', async (t) => {
      const port = await freePort();
      // Before the network, between it and the start, after the start.
      for (const marker of ['create: init ready', 'attach: connected', 'start: releasing init', 'start: exec done']) {
        await killAt(h, ['run', '--rm', '-p', `${port}:80`, 'busybox', ...httpd('killed')], marker);
        // Whatever was made: a running container has its forwarder; without a container there is none.
        const ids = async (all: boolean) => (await h.run(['ps', '-q', ...(all ? ['-a'] : [])])).stdout.trim().split('\n').filter(Boolean);
        if ((await ids(true)).length === 0) {
          await waitFor(() => netHelpers(h).length === 0, 15_000);
          t.same(netHelpers(h), [], `killed at "${marker}", no container: no husk-net`);
        } else if ((await ids(false)).length) {
          t.ok(await accepts(port), `killed at "${marker}", the container runs: its port is served`);
        }
        t.equal((await h.run(['rm', '-af'])).code, 0);
        await waitFor(async () => netHelpers(h).length === 0 && !(await accepts(port)), 15_000);
        t.same(netHelpers(h), [], 'after rm -af: no husk-net, nothing on the port');
      }
    });

    t.test('--network none has only loopback', async (t) => {
      const r = await h.run(['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net']);
      t.same(r.stdout.split(/\s+/).filter(Boolean), ['lo']);
    });

    t.test('the default network reaches the host as host.containers.internal', async (t) => {
      const server = http.createServer((_req, res) => res.end('host-says-hi'));
      await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
      t.teardown(() => new Promise((r) => server.close(r)));
      const port = (server.address() as net.AddressInfo).port;
      const r = await h.run(['run', '--rm', 'busybox', 'sh', '-c', `timeout 5 wget -q -O - http://host.containers.internal:${port}/; exit $?`]);
      t.same([r.code, r.stdout], [0, 'host-says-hi'], 'fetched from the host', { stderr: r.stderr });
    });

    t.test('user networks: names and aliases within one, nothing across two', async (t) => {
      t.teardown(async () => {
        await h.run(['rm', '-f', 'alpha', 'beta']);
        await h.run(['network', 'rm', '-f', 'front', 'back']);
      });
      for (const n of ['front', 'back']) t.equal((await h.run(['network', 'create', n])).code, 0, `network create ${n}`);
      const a = await h.run(['run', '-d', '--name', 'alpha', '--network', 'front', '--network-alias', 'api', 'busybox', ...httpd('from-alpha')]);
      const b = await h.run(['run', '-d', '--name', 'beta', '--network', 'front', 'busybox', ...httpd('from-beta')]);
      t.same([a.code, b.code], [0, 0], 'both on front, both on :80', { a: a.stderr, b: b.stderr });
      const get = (from: string[], name: string) => h.run(['run', '--rm', ...from, 'busybox', 'sh', '-c', `for i in $(seq 50); do timeout 3 wget -q -O - http://${name}/index.html && exit 0; sleep 0.1; done; exit 1`]);
      t.equal((await get(['--network', 'front'], 'alpha')).stdout, 'from-alpha\n', 'by name');
      t.equal((await get(['--network', 'front'], 'api')).stdout, 'from-alpha\n', 'by alias');
      t.equal((await get(['--network', 'front'], 'beta')).stdout, 'from-beta\n', 'the other, same port');
      const ip = (await h.run(['inspect', '--format', '{{.NetworkSettings.Networks.front.IPAddress}}', 'alpha'])).stdout.trim();
      t.match(ip, /^\d+\.\d+\.\d+\.\d+$/, 'inspect shows its address on front');
      // Under sh, not exec'd by it: a timeout as PID 1 could not kill its wget (PID 1 ignores SIGTERM).
      const across = await h.run(['run', '--rm', '--network', 'back', 'busybox', 'sh', '-c', `timeout 3 wget -q -O - http://${ip}/index.html; exit $?`]);
      t.not(across.code, 0, 'a container on back cannot reach alpha');
      await h.run(['rm', '-f', 'alpha', 'beta']);
      if (mode === 'rootless') {
        // The rootless network namespace is held only while a container uses it.
        const holder = () => Husk.pidsMatching(`${h.runroot}/netns/holder.sock`);
        await waitFor(() => holder().length === 0, 15_000);
        t.same(holder(), [], 'the last container gone, the rootless network namespace goes too');
      }
      const inHosts = await h.run(['run', '--rm', '--network', 'front', 'busybox', 'cat', '/etc/hosts']);
      t.notMatch(inHosts.stdout, /alpha|beta/, 'removed containers are gone from the names');
      t.equal((await h.run(['network', 'rm', 'front', 'back'])).code, 0);
    });

    t.test('network reload makes the rules of a running container\'s network again', async (t) => {
      t.teardown(async () => {
        await h.run(['rm', '-f', 'rl']);
        await h.run(['network', 'rm', '-f', 'reloadnet']);
      });
      t.equal((await h.run(['network', 'create', 'reloadnet'])).code, 0);
      const rl = await h.run(['run', '-d', '--name', 'rl', '--network', 'reloadnet', 'busybox', 'sleep', '600']);
      t.equal(rl.code, 0, 'run -d on the network', { stderr: rl.stderr });
      const bridge = (await h.run(['network', 'inspect', '--format', '{{.NetworkInterface}}', 'reloadnet'])).stdout.trim();
      // Where the bridge is: the host, or rootless the holder's namespaces (entered as the user who owns them).
      const nft = (...args: string[]) => {
        const holder = Husk.pidsMatching(`${h.runroot}/netns/holder.sock`)[0];
        const argv = h.user
          ? ['runuser', '-u', h.user, '--', 'nsenter', `--user=/proc/${holder}/ns/user`, `--net=/proc/${holder}/ns/net`, '--preserve-credentials', 'nft', ...args]
          : ['nft', ...args];
        return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
      };
      t.equal(nft('list', 'chain', 'ip', 'husk', `fwd-${bridge}`).status, 0, 'the network has its forward chain');
      t.equal(nft('delete', 'chain', 'ip', 'husk', `fwd-${bridge}`).status, 0, 'taken away');
      t.not(nft('list', 'chain', 'ip', 'husk', `fwd-${bridge}`).status, 0);
      const r = await h.run(['network', 'reload', 'rl']);
      t.equal(r.code, 0, { stderr: r.stderr });
      t.match(r.stdout, /^[0-9a-f]{64}\n$/, 'prints the container\'s id');
      t.equal(nft('list', 'chain', 'ip', 'husk', `fwd-${bridge}`).status, 0, 'made again');
      const bad = await h.run(['network', 'reload']);
      t.same([bad.code, lines(bad.stderr).length], [125, 1], 'neither names nor --all: one line, 125');
    });

    t.test('no names on the default network nor on a --disable-dns one, as docker\'s default bridge', async (t) => {
      t.teardown(async () => {
        await h.run(['rm', '-f', 'quiet1', 'plain1']);
        await h.run(['network', 'rm', '-f', 'quietnet']);
      });
      t.equal((await h.run(['network', 'create', '--disable-dns', 'quietnet'])).code, 0);
      t.equal((await h.run(['run', '-d', '--name', 'quiet1', '--network', 'quietnet', 'busybox', 'sleep', '600'])).code, 0);
      t.equal((await h.run(['run', '-d', '--name', 'plain1', '--network', 'husk', 'busybox', 'sleep', '600'])).code, 0);
      const onQuiet = await h.run(['run', '--rm', '--network', 'quietnet', 'busybox', 'cat', '/etc/hosts']);
      t.equal(onQuiet.code, 0, { stderr: onQuiet.stderr });
      t.notMatch(onQuiet.stdout, /quiet1/, '--disable-dns: no peer names');
      const onDefault = await h.run(['run', '--rm', '--network', 'husk', 'busybox', 'cat', '/etc/hosts']);
      t.notMatch(onDefault.stdout, /plain1/, 'the default network: no peer names');
      t.match(onDefault.stdout, /host\.containers\.internal/, 'the host still has its name');
    });

    t.test('--internal has no way out, not even to the host', async (t) => {
      const server = http.createServer((_req, res) => res.end('host'));
      await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
      t.teardown(() => new Promise((r) => server.close(r)));
      const port = (server.address() as net.AddressInfo).port;
      t.equal((await h.run(['network', 'create', '--internal', 'sealed'])).code, 0);
      const gw = (await h.run(['network', 'inspect', '--format', '{{range .Subnets}}{{.Gateway}}{{end}}', 'sealed'])).stdout.trim();
      const r = await h.run(['run', '--rm', '--network', 'sealed', 'busybox', 'sh', '-c', `timeout 3 wget -q -O - http://${gw || '10.0.0.1'}:${port}/ ; ip route`]);
      t.notMatch(r.stdout, /host/, 'the host server is not reached');
      t.notMatch(r.stdout, /default/, 'no default route');
      await h.run(['network', 'rm', 'sealed']);
    });

    t.test('--network container:X shares X\'s stack', async (t) => {
      const x = await h.run(['run', '-d', '--name', 'owner', '--network', 'none', 'busybox', ...httpd('shared-stack')]);
      t.equal(x.code, 0, { stderr: x.stderr });
      const r = await h.run(['run', '--rm', '--network', 'container:owner', 'busybox', 'sh', '-c', 'for i in $(seq 50); do timeout 3 wget -q -O - http://127.0.0.1/index.html && exit 0; sleep 0.1; done; exit 1']);
      t.same([r.code, r.stdout], [0, 'shared-stack\n'], 'its loopback is owner\'s');
      await h.run(['rm', '-f', 'owner']);
    });

    t.test('malformed -p, --ip, --subnet: one line, exit 125, nothing made', async (t) => {
      for (const args of [['run', '--rm', '-p', '70000:80', 'busybox', 'true'], ['run', '--rm', '-p', 'abc', 'busybox', 'true'], ['run', '--rm', '--network', 'husk', '--ip', '10.88.0.300', 'busybox', 'true'], ['network', 'create', '--subnet', '10.1.2.3/99', 'bad']]) {
        const r = await h.run(args);
        t.equal(r.code, 125, `${args.join(' ')}: exit 125`);
        t.equal(lines(r.stderr).length, 1, 'one line');
      }
      t.same(await h.containerIds(), [], 'no container');
      t.equal((await h.run(['network', 'exists', 'bad'])).code, 1, 'no network');
    });
  });
}
