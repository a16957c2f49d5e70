// podman's flags of volume, network, system, info, version, unshare and
// machine (issue 16): each accepted flag with the result a user would see,
// each refused one with its message and exit 125; as root and rootless.
// `system reset` runs on a store of its own (the harness's --root/--runroot).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { lines, modes, newHusk } from '../helpers/husk.js';

const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const ok = async (args: string[], input?: string) => {
      const r = await h.run(args, input === undefined ? {} : { input });
      t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const names = async (args: string[]) => lines(await ok(args)).sort();
    // Root's bridges are the host's: names of this run only.
    const tag = `p16${process.pid % 10000}`;

    t.test('refused and ignored flags: the message names why, exit 125 (ignored: a warning, exit 0)', async (t) => {
      const refused: Array<[string[], RegExp]> = [
        [['network', 'create', '--ipv6', `${tag}x`], /^Error: --ipv6 is not supported: husk networks are IPv4 only\n$/],
        [['network', 'create', '--dns', '1.1.1.1', `${tag}x`], /^Error: --dns is not supported: .*per-network DNS servers/],
        [['network', 'create', '--route', '10.0.0.0/8,10.89.0.1', `${tag}x`], /^Error: --route is not supported: /],
        [['network', 'create', '--ipam-driver', 'dhcp', `${tag}x`], /^Error: --ipam-driver dhcp is not supported/],
        [['network', 'update', '--dns-add', '1.1.1.1', 'husk'], /^Error: --dns-add is not supported: /],
        [['volume', 'create', '--driver', 'nfs', 'x'], /^Error: volume driver "nfs" is not supported: husk has only local volumes/],
        [['system', 'service', '--time', '0'], /^Error: husk system service is not supported: husk has no API service/],
        [['system', 'connection', 'ls'], /^Error: husk system connection is not supported: /],
        [['machine', 'init', '--cpus', '2', 'vm'], /^Error: husk machine init is not supported: husk runs containers directly on this Linux host/],
        [['machine', 'list'], /^Error: husk machine list is not supported: /],
        [['machine'], /^Error: husk machine is not supported: /],
        [['system', 'df', '-v', '--format', 'json'], /^Error: cannot combine --format and --verbose flags\n$/],
        [['system', 'prune', '--external', '-a'], /^Error: --external is incompatible with --all/],
        [['volume', 'rm'], /^Error: choose either one or more volumes or all/],
        [['volume', 'rm', '-a', 'x'], /^Error: when using the --all switch, you may not pass any volume names/],
        [['volume', 'ls', '--filter', 'color=red'], /^Error: invalid filter "color=red": expected KEY=VALUE with KEY one of name, /],
        [['volume', 'ls', '--filter', 'name=('], /^Error: invalid filter "name=\(": "\(" is not a regular expression/],
      ];
      for (const [args, message] of refused) {
        const r = await h.run(args);
        t.equal(r.code, 125, `${args.join(' ')}: exit 125`);
        t.match(r.stderr, message, `${args.join(' ')}: says why`);
      }
      for (const [args, warning] of [
        [['system', 'migrate', '--new-runtime', 'crun'], /WARN: --new-runtime is ignored: husk runs containers itself/],
        [['system', 'prune', '-f', '--build'], /WARN: --build is ignored: /],
      ] as const) {
        const r = await h.run([...args]);
        t.equal(r.code, 0, `${args.join(' ')}: exit 0`);
        t.match(r.stderr, warning, `${args.join(' ')}: warns`);
      }
      t.match((await h.run(['system', 'renumber'])).stderr, /nothing to renumber/, 'renumber: nothing to do, said so');
    });

    t.test('volume rm: podman exit codes and message; -f of a missing volume; -a; -f -t', async (t) => {
      await ok(['volume', 'create', 'used']);
      const id = (await ok(['create', '--name', 'user1', '-v', 'used:/d', 'busybox', 'true'])).trim();
      const inUse = await h.run(['volume', 'rm', 'used']);
      t.same([inUse.code, inUse.stderr], [2, `Error: volume used is being used by the following container(s): ${id}: volume is being used\n`], "podman's text, exit 2");
      const missing = await h.run(['volume', 'rm', 'nosuch']);
      t.same([missing.code, missing.stderr], [1, 'Error: no volume with name "nosuch" found: no such volume\n'], 'missing: exit 1');
      const forced = await h.run(['volume', 'rm', '-f', 'nosuch']);
      t.same([forced.code, forced.stderr], [0, ''], '-f: a missing volume is no error');

      await ok(['run', '-d', '--name', 'runner', '-v', 'busy:/d', 'busybox', 'sleep', '600']);
      t.equal(await ok(['volume', 'rm', '-f', '-t', '0', 'busy']), 'busy\n', '-f -t 0: the running container is stopped and removed, then the volume');
      t.equal((await h.run(['container', 'exists', 'runner'])).code, 1, 'the container is gone');

      await ok(['volume', 'create', 'spare']);
      t.same(await names(['volume', 'rm', '-a', '-f']), ['spare', 'used'], '-a -f: every volume, in use or not');
      t.equal(await ok(['volume', 'ls', '-q']), '', 'none left');
      t.equal((await h.run(['container', 'exists', 'user1'])).code, 1, 'its user went first');
    });

    t.test('volume ls: name= is a regular expression; label!, anonymous, opt, until, after; --noheading; podman fields', async (t) => {
      await ok(['volume', 'create', '-l', 'tier=db', 'v1']);
      // CreatedAt has whole seconds (docker's form): the next ones in a later second, for after=.
      const second = Math.floor(Date.now() / 1000);
      while (Math.floor(Date.now() / 1000) <= second + 1) await new Promise((resolve) => setTimeout(resolve, 100));
      await ok(['volume', 'create', 'v22']);
      await ok(['volume', 'create', '-o', 'o=uid=0', 'xv3']);
      t.same(await names(['volume', 'ls', '-q', '--filter', 'name=^v[0-9]$']), ['v1'], 'name=^v[0-9]$: a regular expression');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'name=v']), ['v1', 'v22', 'xv3'], 'name=v: a match anywhere');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'label!=tier']), ['v22', 'xv3'], 'label!=');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'opt=o=uid=0']), ['xv3'], 'opt=');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'after=v1']), ['v22', 'xv3'], 'after=VOLUME');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'until=2000-01-01T00:00:00Z']), [], 'until= a time before them all');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'anonymous=true']), [], 'anonymous=true: none');
      t.same(await names(['volume', 'ls', '-q', '--filter', 'scope=local', '--filter', 'driver=local', '--filter', 'dangling=true', '--filter', 'name=^v']), ['v1', 'v22'], 'filters of different keys all apply');
      t.equal(await ok(['volume', 'ls', '--noheading', '--filter', 'name=v1']), 'local    v1\n', '--noheading: no header line');
      t.equal(await ok(['volume', 'ls', '--filter', 'name=v1', '--format', '{{.Name}} {{.Driver}} {{.Labels}} {{.Scope}} {{.MountCount}}']), 'v1 local map[tier:db] local 0\n', "podman's fields");
      t.equal(await ok(['volume', 'ls', '--filter', 'name=v1', '--noheading', '--format', 'table {{.Name}}']), 'v1\n', 'a table without its header');
      const json = JSON.parse(await ok(['volume', 'ls', '--format', 'json', '--filter', 'name=v22'])) as Array<Record<string, unknown>>;
      t.same([json.length, json[0]?.Name, json[0]?.Mountpoint], [1, 'v22', path.join(h.root, 'volumes', 'v22', '_data')], '--format json');
      await ok(['volume', 'rm', 'v1', 'v22', 'xv3']);
    });

    t.test('volume create --uid/--gid, inspect -a, export/import, mount', async (t) => {
      await ok(['volume', 'create', '--uid', '1000', '--gid', '1001', 'owned']);
      t.equal(await ok(['run', '--rm', '-v', 'owned:/d', 'busybox', 'stat', '-c', '%u:%g', '/d']), '1000:1001\n', "--uid/--gid: the owner of the volume's directory");
      await ok(['volume', 'create', 'other']);
      t.same(lines(await ok(['volume', 'inspect', '-a', '--format', '{{.Name}}'])).sort(), ['other', 'owned'], 'inspect -a');
      await ok(['run', '--rm', '-v', 'owned:/d', 'busybox', 'sh', '-c', 'echo kept > /d/file && chown 7:7 /d/file']);
      const archive = path.join(h.dir, 'files', 'owned.tar');
      await ok(['volume', 'export', '-o', archive, 'owned']);
      t.ok(fs.statSync(archive).size > 0, 'export -o FILE writes the archive');
      await ok(['volume', 'import', 'other', archive]);
      t.equal(await ok(['run', '--rm', '-v', 'other:/d', 'busybox', 'stat', '-c', '%u:%g %s', '/d/file']), '7:7 5\n', 'import: the content with its owners');
      t.equal(await ok(['volume', 'mount', 'other']), `${path.join(h.root, 'volumes', 'other', '_data')}\n`, "mount: the local volume's directory");
      await ok(['volume', 'rm', 'owned', 'other']);
    });

    t.test('volume prune: --dry-run names without removing; label!; -a', async (t) => {
      await ok(['volume', 'create', '-l', 'keep=1', 'pk']);
      await ok(['volume', 'create', 'pg']);
      t.equal(await ok(['volume', 'prune', '-f', '--dry-run', '--filter', 'label!=keep']), 'pg\n', 'dry run: named');
      t.same(await names(['volume', 'ls', '-q']), ['pg', 'pk'], 'nothing removed');
      t.equal(await ok(['volume', 'prune', '-f', '--filter', 'label!=keep']), 'pg\n', 'label!=: the unlabelled one only');
      t.equal(await ok(['volume', 'prune', '-f', '-a']), 'pk\n', '-a: named volumes too');
    });

    t.test('network create --interface-name; reload --latest; disconnect -f', async (t) => {
      const net = `${tag}n`;
      await ok(['network', 'create', '--interface-name', `${tag}br`, '--ipam-driver', 'host-local', net]);
      t.equal(await ok(['network', 'inspect', '--format', '{{.NetworkInterface}}', net]), `${tag}br\n`, 'the bridge device is named as asked');
      const again = await h.run(['network', 'create', '--interface-name', `${tag}br`, `${net}2`]);
      t.same([again.code, again.stderr], [125, `Error: interface name ${tag}br is used by network ${net}\n`], 'a name in use is refused');
      await ok(['create', '--name', 'netuser', '--network', net, 'busybox', 'true']);
      const d = await h.run(['network', 'disconnect', '-f', net, 'netuser']);
      t.same([d.code, d.stderr], [0, 'WARN: --force is ignored: husk disconnects running containers without it\n'], 'disconnect -f: accepted');
      await ok(['run', '-d', '--name', 'netrunner', '--network', net, 'busybox', 'sleep', '600']);
      t.equal(await ok(['network', 'reload', '--latest']), `${(await ok(['inspect', '--format', '{{.Id}}', 'netrunner'])).trim()}\n`, 'reload -l: the newest container');
      await ok(['rm', '-f', 'netuser', 'netrunner']);
      await ok(['network', 'rm', net]);
    });

    t.test('system df: -v lists each image, container and volume; --format templates and json', async (t) => {
      await ok(['volume', 'create', 'dfvol']);
      await ok(['create', '--name', 'dfc', '-v', 'dfvol:/d', 'busybox', 'true']);
      const v = await ok(['system', 'df', '-v']);
      t.match(v, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\nlocalhost\/busybox +latest +[0-9a-f]{12} .* 1\n/, 'images, with their containers');
      t.match(v, /\nContainers space usage:\n\nCONTAINER ID +IMAGE .*\n[0-9a-f]{12} +\S+ +true +1 +.* created +dfc\n/, 'containers, with their volumes');
      t.match(v, /\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\ndfvol +1 +0B\n/, 'volumes, with their links');
      t.equal(await ok(['system', 'df', '--format', '{{.Type}}:{{.Total}}:{{.Active}}']), 'Images:1:1\nContainers:1:0\nLocal Volumes:1:1\n', 'a template of podman fields');
      const json = JSON.parse(await ok(['system', 'df', '--format', 'json'])) as Array<{ Type: string; Total: number }>;
      t.same(json.map((r) => [r.Type, r.Total]), [['Images', 1], ['Containers', 1], ['Local Volumes', 1]], 'json');
      await ok(['rm', 'dfc']);
      await ok(['volume', 'rm', 'dfvol']);
    });

    t.test('system prune: asks without -f (end of input: an error, nothing removed); -f, --volumes, --filter, -a', async (t) => {
      await ok(['create', '--name', 'stopped1', '--label', 'keep=yes', 'busybox', 'true']);
      await ok(['create', '--name', 'stopped2', 'busybox', 'true']);
      await ok(['volume', 'create', 'spv']);
      await ok(['network', 'create', `${tag}p`]);
      const eof = await h.run(['system', 'prune']);
      t.same([eof.code, eof.stderr], [125, 'Error: EOF\n'], 'no answer: an error');
      t.match(eof.stdout, /^WARNING! This command removes:\n\t- all stopped containers\n/, "podman's question");
      const no = await h.run(['system', 'prune'], { input: 'n\n' });
      t.equal(no.code, 0, 'answered no: exit 0');
      t.same(await names(['ps', '-a', '--format', '{{.Names}}']), ['stopped1', 'stopped2'], 'nothing removed without a yes');

      const filtered = await ok(['system', 'prune', '-f', '--filter', 'label!=keep']);
      t.match(filtered, /^Deleted Containers\n[0-9a-f]{64}\n/, 'deleted containers listed');
      t.same(await names(['ps', '-a', '--format', '{{.Names}}']), ['stopped1'], '--filter label!=keep: the labelled one stays');
      t.equal((await h.run(['network', 'exists', `${tag}p`])).code, 1, 'unused networks go');
      t.equal((await h.run(['volume', 'exists', 'spv'])).code, 0, 'volumes stay without --volumes');

      const yes = await h.run(['system', 'prune', '--volumes'], { input: 'y\n' });
      t.equal(yes.code, 0, yes.stderr);
      t.match(yes.stdout, /Deleted Volumes\nspv\n/, 'answered y, --volumes: the volume goes');
      t.match(yes.stdout, /Total reclaimed space: \S+\n$/, 'the space reclaimed');
      t.equal(await ok(['ps', '-a', '-q']), '', 'stopped containers go');
      t.equal((await h.run(['image', 'exists', 'busybox'])).code, 0, 'a named image stays without -a');
    });

    t.test('info --format: podman names and docker names; -f json; version --format', async (t) => {
      const arch = process.arch === 'x64' ? 'amd64' : process.arch;
      t.equal(
        await ok(['info', '--format', '{{.Host.Arch}}|{{.Store.GraphRoot}}|{{.Store.RunRoot}}|{{.Version.Version}}|{{.Host.Security.Rootless}}|{{.Store.ImageStore.Number}}']),
        `${arch}|${h.root}|${h.runroot}|${version}|${mode === 'rootless'}|1\n`,
        "podman's Go field names",
      );
      t.equal(await ok(['info', '-f', '{{.DockerRootDir}}|{{.ServerVersion}}|{{.Images}}|{{json .Store.ImageStore}}']), `${h.root}|${version}|1|{"number":1}\n`, "docker's names, and json of a part");
      const info = JSON.parse(await ok(['info', '-f', 'json'])) as { host: { security: { rootless: boolean } }; store: { graphRoot: string } };
      t.same([info.host.security.rootless, info.store.graphRoot], [mode === 'rootless', h.root], '-f json');
      const bad = await h.run(['info', '--format', '{{.NoSuchField}}']);
      t.equal(bad.code, 125, 'an unknown field: exit 125');
      t.equal(await ok(['version', '--format', '{{.Client.Version}} {{.Version}} {{.Client.OsArch}}']), `${version} ${version} linux/${arch}\n`, 'version --format');
      t.same(JSON.parse(await ok(['version', '-f', 'json'])).Client.Version, version, 'version -f json');
    });

    t.test('unshare: the store\'s user namespace (rootless); refused as root, as podman', async (t) => {
      if (mode === 'root') {
        const r = await h.run(['unshare', 'id']);
        t.same([r.code, r.stderr], [125, 'Error: please use unshare with rootless\n'], "podman's refusal");
        return;
      }
      t.equal(await ok(['unshare', 'id', '-u']), '0\n', 'uid 0 inside');
      t.match(await ok(['unshare', 'cat', '/proc/self/uid_map']), new RegExp(`^\\s+0\\s+${h.uid}\\s+1\\n`), "the store's mapping: the user is 0");
      t.equal(await ok(['unshare', 'sh', '-c', 'echo $CONTAINERS_GRAPHROOT $CONTAINERS_RUNROOT']), `${h.root} ${h.runroot}\n`, "podman's variables");
      t.equal((await h.run(['unshare', 'sh', '-c', 'exit 3'])).code, 3, "the command's exit code");
      const nf = await h.run(['unshare', 'no-such-program']);
      t.same([nf.code, nf.stderr], [127, 'Error: no-such-program: executable file not found in $PATH: no such file or directory\n'], 'not found: 127');
      t.equal((await h.run(['unshare', '/etc'])).code, 126, 'not executable: 126');
      const noNetns = await h.run(['unshare', '--rootless-netns', 'true']);
      t.same([noNetns.code, noNetns.stderr.startsWith('Error: there is no rootless network namespace now')], [125, true], '--rootless-netns without one: says why');
      // Files a container user owns are the user's to remove only inside.
      await ok(['volume', 'create', 'uv']);
      await ok(['run', '--rm', '-v', 'uv:/d', 'busybox', 'sh', '-c', 'mkdir /d/x && chown 5:5 /d/x && chmod 700 /d/x && touch /d/x/f']);
      t.equal(await ok(['unshare', 'ls', path.join(h.root, 'volumes', 'uv', '_data', 'x')]), 'f\n', 'reads what a container user owns');
      await ok(['volume', 'rm', 'uv']);
    });

    t.test('system reset: asks; -f removes the whole store (only --root and --runroot)', async (t) => {
      const r = await newHusk(mode);
      t.teardown(() => r.cleanup());
      await r.importBusybox();
      t.equal((await r.run(['volume', 'create', 'rv'])).code, 0);
      t.equal((await r.run(['create', '--name', 'rc', '-v', 'rv:/d', 'busybox', 'true'])).code, 0);
      const no = await r.run(['system', 'reset'], { input: 'n\n' });
      t.equal(no.code, 0);
      t.match(no.stdout, new RegExp(`^WARNING! This will remove:\n(.*\n)*        - the graphRoot directory: "${r.root}"\n        - the runRoot directory: "${r.runroot}"\nAre you sure`), "podman's question names the directories");
      t.equal((await r.run(['container', 'exists', 'rc'])).code, 0, 'answered no: nothing removed');
      const eof = await r.run(['system', 'reset']);
      t.same([eof.code, eof.stderr], [125, 'Error: EOF\n'], 'no answer: an error');
      const reset = await r.run(['system', 'reset', '-f']);
      t.same([reset.code, reset.stderr], [0, ''], '-f: no question');
      t.notOk(fs.existsSync(r.root), 'the graph root is gone');
      t.notOk(fs.existsSync(r.runroot), 'the run root is gone');
      t.ok(fs.existsSync(path.join(r.dir, 'files')), 'nothing beside them');
      const after = await r.run(['images', '-q']);
      t.same([after.code, after.stdout], [0, ''], 'an empty store works again');
      t.equal((await h.run(['image', 'exists', 'busybox'])).code, 0, "another store's image is untouched");
    });
  });
}
