// Pods, rootless and as root: containers of a pod share the network, IPC and
// UTS namespaces of its infra container (husk-pause, no image pulled), reach
// each other on localhost, and publish ports through the pod; pod stop,
// start and rm act on all of them. Traffic only to loopback.
import fs from 'node:fs';
import t from 'tap';
import { lines, modes, newHusk, waitFor } from '../helpers/husk.js';
import { fetchText, freePort } from '../helpers/net.js';

const SERVE = (text: string, port: number) => `trap 'exit 0' TERM; mkdir -p /www; echo ${text} > /www/index.html; httpd -p ${port} -h /www; while :; do sleep 0.1; done`;

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(async () => {
      await h.run(['pod', 'rm', '-a', '-f', '-t', '0']);
      await h.cleanup();
    });
    await h.importBusybox();
    const port = await freePort();

    t.test('two containers of a pod: localhost, one hostname, one IPC namespace; the pod\'s port reaches the one listening', async (t) => {
      const create = await h.run(['pod', 'create', '--name', 'shop', '-p', `127.0.0.1:${port}:80`]);
      t.equal(create.code, 0, create.stderr);
      t.match(create.stdout, /^[a-f0-9]{64}\n$/);
      const web = await h.run(['run', '-d', '--pod', 'shop', '--name', 'web', 'busybox', 'sh', '-c', SERVE('from-the-pod', 80)]);
      t.equal(web.code, 0, web.stderr);
      const client = await waitFor(async () => {
        const r = await h.run(['run', '--rm', '--pod', 'shop', 'busybox', 'sh', '-c', 'wget -q -O - http://localhost/index.html && hostname && readlink /proc/self/ns/ipc']);
        return r.code === 0 ? r : undefined;
      });
      const [body, hostname, ipc] = lines(client?.stdout ?? '');
      t.equal(body, 'from-the-pod', 'localhost is the pod\'s: the other container answers');
      t.equal(hostname, 'shop', 'the pod\'s hostname');
      t.equal(lines((await h.run(['exec', 'web', 'readlink', '/proc/self/ns/ipc'])).stdout)[0], ipc, 'one IPC namespace');
      const outside = await h.run(['run', '--rm', 'busybox', 'readlink', '/proc/self/ns/ipc']);
      t.not(lines(outside.stdout)[0], ipc, 'a container outside the pod has its own');
      t.equal(await fetchText(port), 'from-the-pod\n', 'the port published on the pod reaches the container that listens');
    });

    t.test('ps --pod, inspect, pod ps, pod inspect', async (t) => {
      const podId = (await h.run(['pod', 'inspect', 'shop', '--format', '{{.Id}}'])).stdout.trim();
      t.match(podId, /^[a-f0-9]{64}$/);
      const ps = await h.run(['ps', '--pod', '--format', '{{.Names}} {{.PodName}} {{.Pod}}']);
      t.ok(lines(ps.stdout).includes(`web shop ${podId.slice(0, 12)}`), ps.stdout);
      t.equal((await h.run(['inspect', 'web', '--format', '{{.Pod}}'])).stdout, `${podId}\n`);
      const pods = await h.run(['pod', 'ps', '--format', '{{.Name}} {{.Status}} {{.NumberOfContainers}}']);
      t.same(lines(pods.stdout), ['shop Running 2'], 'infra and web');
      t.equal((await h.run(['pod', 'inspect', 'shop', '--format', '{{.SharedNamespaces}}'])).stdout, '[net ipc uts]\n');
      const stats = await h.run(['pod', 'stats', '--no-stream', '--format', '{{.Name}}', 'shop']);
      t.equal(stats.code, 0, stats.stderr);
      t.ok(lines(stats.stdout).includes('web'), `pod stats lists the pod's containers: ${stats.stdout}`);
      t.equal((await h.run(['pod', 'exists', 'shop'])).code, 0);
      t.equal((await h.run(['pod', 'exists', 'nope'])).code, 1);
    });

    t.test('pod stop stops every container; pod start brings the pod back with its port', async (t) => {
      const stop = await h.run(['pod', 'stop', '-t', '2', 'shop']);
      t.equal(stop.code, 0, stop.stderr);
      t.same(lines((await h.run(['ps', '-q'])).stdout), [], 'nothing of the pod runs');
      t.same(lines((await h.run(['pod', 'ps', '--format', '{{.Status}}'])).stdout), ['Exited']);
      const start = await h.run(['pod', 'start', 'shop']);
      t.equal(start.code, 0, start.stderr);
      t.equal(await fetchText(port), 'from-the-pod\n', 'served again after the start');
    });

    t.test('refused: a port on a member, rm of the infra, pod rm of a running pod, bad flags', async (t) => {
      const member = await h.run(['run', '--rm', '--pod', 'shop', '-p', '8080:80', 'busybox', 'true']);
      t.equal(member.code, 125);
      t.match(member.stderr, /ports are published on the pod/);
      const infra = (await h.run(['pod', 'inspect', 'shop', '--format', '{{.InfraContainerID}}'])).stdout.trim();
      const rmInfra = await h.run(['rm', '-f', infra]);
      t.not(rmInfra.code, 0);
      t.match(rmInfra.stderr, /infra container of a pod/);
      const rm = await h.run(['pod', 'rm', 'shop']);
      t.not(rm.code, 0);
      t.match(rm.stderr, /has running containers \(web\)/);
      for (const [args, message] of [
        [['pod', 'create', '--share', 'pid'], /invalid --share "pid"/],
        [['pod', 'create', '--name', 'bad name'], /invalid pod name/],
        [['pod', 'create', '--name', 'shop'], /already in use/],
        [['run', '--rm', '--pod', 'nosuch', 'busybox', 'true'], /no pod with name or ID nosuch found/],
      ] as const) {
        const r = await h.run([...args]);
        t.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
        t.match(r.stderr, message);
      }
    });

    t.test('pod create --memory --pids-limit: the pod\'s cgroup holds the limits, its containers below it', async (t) => {
      const r = await h.run(['pod', 'create', '--name', 'limited', '--memory', '64m', '--pids-limit', '50']);
      if (mode === 'rootless' && /cgroup v1/.test(r.stderr)) {
        // This host's cgroups cannot be delegated: rootless limits are refused, as run --memory refuses them.
        t.equal(r.code, 125, r.stderr);
        t.match(r.stderr, /resource limits cannot be set/);
        return;
      }
      t.equal(r.code, 0, r.stderr);
      const cgroup = (await h.run(['pod', 'inspect', 'limited', '--format', '{{.CgroupParent}}'])).stdout.trim();
      t.match(cgroup, /pod-[a-f0-9]{64}$/);
      t.equal((await h.run(['run', '-d', '--pod', 'limited', '--name', 'limited-one', 'busybox', 'sleep', '60'])).code, 0);
      const v1 = fs.existsSync('/sys/fs/cgroup/memory');
      const memFile = v1 ? `/sys/fs/cgroup/memory${cgroup}/memory.limit_in_bytes` : `/sys/fs/cgroup${cgroup}/memory.max`;
      t.equal(fs.readFileSync(memFile, 'utf8').trim(), '67108864', 'the pod\'s memory limit');
      const procs = v1 ? `/sys/fs/cgroup/memory${cgroup}` : `/sys/fs/cgroup${cgroup}`;
      const pid = (await h.run(['inspect', 'limited-one', '--format', '{{.State.Pid}}'])).stdout.trim();
      t.ok(fs.readdirSync(procs, { withFileTypes: true }).some((d) => d.isDirectory() && fs.readFileSync(`${procs}/${d.name}/cgroup.procs`, 'utf8').split('\n').includes(pid)), 'the container\'s cgroup is below the pod\'s');
      t.equal((await h.run(['pod', 'rm', '-f', '-t', '0', 'limited'])).code, 0);
      t.notOk(fs.existsSync(memFile), 'the pod\'s cgroup went with it');
    });

    t.test('pod rm -f removes the pod and all its containers; run --pod new: makes a pod', async (t) => {
      const rm = await h.run(['pod', 'rm', '-f', '-t', '1', 'shop']);
      t.equal(rm.code, 0, rm.stderr);
      t.same(lines((await h.run(['ps', '-a', '-q'])).stdout), [], 'no container left, the infra included');
      t.same(lines((await h.run(['pod', 'ps', '-q'])).stdout), []);
      const made = await h.run(['run', '--rm', '--pod', 'new:fresh', 'busybox', 'hostname']);
      t.equal(made.code, 0, made.stderr);
      t.equal(made.stdout, 'fresh\n');
      t.same(lines((await h.run(['pod', 'ps', '--format', '{{.Name}}'])).stdout), ['fresh']);
      t.equal((await h.run(['pod', 'prune', '-f'])).code, 0);
      t.same(lines((await h.run(['pod', 'ps', '--format', '{{.Name}}'])).stdout), ['fresh'], 'prune keeps a pod whose infra runs');
      t.equal((await h.run(['pod', 'stop', 'fresh'])).code, 0);
      t.equal((await h.run(['pod', 'prune', '-f'])).code, 0);
      t.same(lines((await h.run(['pod', 'ps', '-q'])).stdout), [], 'prune removed the stopped pod');
      t.same(lines((await h.run(['ps', '-a', '-q'])).stdout), [], 'with its infra');
    });
  });
}
