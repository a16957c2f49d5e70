// husk build (also `image build` and `buildx build`): Dockerfiles built as
// docker and podman build them, each case as root and rootless. What is
// expected was read off podman 4.3.1 (buildah 1.28) on the test machine and
// docker's documentation, not guessed: podman's output lines (`STEP i/n:`,
// `--> Using cache ID`, `COMMIT`, `Successfully tagged`, the id last), a
// failing RUN exiting with the RUN's own status, the CMD/ENTRYPOINT table,
// .dockerignore's root-relative patterns. Where podman 4.3.1 lags docker
// (heredocs, SOURCE_DATE_EPOCH) the test follows docker's documentation.
// Malformed Dockerfiles get husk's one-line `Error: Dockerfile:LINE: ...`
// (podman's messages are buildah's Go structs). The interop case builds the
// same Dockerfile with podman (root only, its own vfs store).
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import t, { type Test } from 'tap';
import { fixtures, Husk, lines, modes, newHusk, waitFor, type Result } from '../helpers/husk.js';
import { readTar } from '../helpers/files.js';
import { registryToolsMissing, startRegistry } from '../helpers/registry.js';

const isRoot = process.getuid?.() === 0;
const BUILD_TIMEOUT = 120_000;

/** podman and skopeo as root, podman with a store of its own; undefined (and why) when they cannot run. */
function podmanMissing(): string | undefined {
  if (!isRoot) return 'needs root (podman with its own store)';
  if (spawnSync('podman', ['--version']).status !== 0) return 'needs podman';
  if (spawnSync('runc', ['--version']).status !== 0) return 'needs runc';
  if (spawnSync('skopeo', ['--version']).status !== 0) return 'needs skopeo';
  return undefined;
}

/** podman as root on a throw-away vfs store (nothing mounted), as 021 runs it. */
function podman(t: Test): (args: string[], opts?: { cwd?: string }) => string {
  const dir = fs.mkdtempSync('/tmp/ht-podman-');
  const conf = path.join(dir, 'containers.conf');
  fs.writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]\n[engine]\nruntime = "runc"\n');
  const base = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  const env = { ...process.env, CONTAINERS_CONF: conf };
  t.teardown(() => {
    spawnSync('podman', [...base, 'rm', '-f', '-a', '-t', '0'], { env, stdio: 'ignore' });
    for (const pid of Husk.pidsMatching(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });
  return (args, opts = {}) => execFileSync('podman', [...base, ...args], { encoding: 'utf8', env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/** The entries of a tar (gzip or not), names without ./ and trailing /. */
async function tarNames(data: Buffer): Promise<Array<{ name: string; type: string; size: number }>> {
  const plain = data[0] === 0x1f && data[1] === 0x8b ? zlib.gunzipSync(data) : data;
  return (await readTar(plain)).map((e) => ({ name: e.name.replace(/^\.\//, '').replace(/\/$/, ''), type: e.type, size: e.data.length }));
}

/** The layers of a docker-archive (`save` output), bottom first, as tar buffers; and the config. */
async function archiveLayers(file: string): Promise<{ layers: Buffer[]; config: Record<string, unknown>; all: Buffer }> {
  const all = fs.readFileSync(file);
  const entries = await readTar(all);
  const byName = new Map(entries.map((e) => [e.name.replace(/^\.\//, ''), e.data]));
  const manifest = JSON.parse(byName.get('manifest.json')!.toString()) as Array<{ Config: string; Layers: string[] }>;
  const m = manifest[0]!;
  return {
    layers: m.Layers.map((l) => byName.get(l)!),
    config: JSON.parse(byName.get(m.Config)!.toString()) as Record<string, unknown>,
    all,
  };
}

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    const base = 'busybox';

    const ok = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) => h.ok(args, { timeoutMs: BUILD_TIMEOUT, ...opts });
    const out = async (args: string[]) => (await ok(args)).stdout;
    const build = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Result> =>
      h.run(['build', ...args], { timeoutMs: BUILD_TIMEOUT, ...opts });
    /** Builds and demands success; returns the result. */
    const built = async (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) => {
      const r = await build(args, opts);
      if (r.code !== 0) throw new Error(`husk build ${args.join(' ')}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return r;
    };
    /** The full id (no sha256:) of an image. */
    const imageId = async (name: string) => (await out(['image', 'inspect', '--format', '{{.Id}}', name])).trim().replace(/^sha256:/, '');
    const inspect = async (name: string) => (JSON.parse(await out(['image', 'inspect', name])) as Array<Record<string, any>>)[0]!;
    const exists = async (name: string) => (await h.run(['image', 'exists', name])).code === 0;
    /** The last line of a build's stdout: the image id. */
    const lastLine = (r: Result) => lines(r.stdout).at(-1) ?? '';

    /** A build context owned by the husk user: files (name → content; a trailing / makes a directory). */
    const context = (name: string, files: Record<string, string>) => {
      const dir = path.join(h.dir, 'files', name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [f, content] of Object.entries(files)) {
        const p = path.join(dir, f);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        if (f.endsWith('/')) fs.mkdirSync(p, { recursive: true });
        else fs.writeFileSync(p, content);
      }
      chownTree(dir);
      return dir;
    };
    const chownTree = (dir: string) => {
      if (!h.user) return;
      const walk = (p: string) => {
        fs.lchownSync(p, h.uid, h.gid);
        if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
      };
      walk(dir);
      fs.lchownSync(path.join(h.dir, 'files'), h.uid, h.gid);
    };

    await t.test('tutorial Dockerfile: WORKDIR, COPY . ., RUN, ENV, EXPOSE, CMD', async (t) => {
      const dir = context('tutorial', {
        'hello.txt': 'hello\n',
        'sub/w.txt': 'world\n',
        Dockerfile: [
          `FROM ${base}`,
          'WORKDIR /app',
          'COPY . .',
          'RUN echo built > /app/built.txt',
          'ENV GREETING=hi NAME="the world"',
          'EXPOSE 8080',
          'CMD ["sh","-c","echo $GREETING $NAME; cat /app/hello.txt"]',
          '',
        ].join('\n'),
      });
      const r = await built(['-t', 'tut', dir]);
      const l = lines(r.stdout);
      t.same(
        l.filter((x) => x.startsWith('STEP ')),
        [
          `STEP 1/7: FROM ${base}`,
          'STEP 2/7: WORKDIR /app',
          'STEP 3/7: COPY . .',
          'STEP 4/7: RUN echo built > /app/built.txt',
          'STEP 5/7: ENV GREETING=hi NAME="the world"',
          'STEP 6/7: EXPOSE 8080',
          'STEP 7/7: CMD ["sh","-c","echo $GREETING $NAME; cat /app/hello.txt"]',
        ],
        'one STEP line per instruction, as podman prints them',
      );
      t.ok(l.includes('COMMIT tut'), 'COMMIT line');
      t.ok(l.includes('Successfully tagged localhost/tut:latest'), 'Successfully tagged line');
      t.match(lastLine(r), /^[0-9a-f]{64}$/, 'the full id is the last line');
      t.equal(lastLine(r), await imageId('tut'), 'and is the image\'s id');
      t.ok(l.filter((x) => /^--> [0-9a-f]{11,}$/.test(x)).length >= 5, '--> ID after the steps');

      t.equal(await out(['run', '--rm', 'tut']), 'hi the world\nhello\n', 'run prints what CMD says');
      const cfg = (await inspect('tut')).Config;
      t.ok((cfg.Env as string[]).includes('GREETING=hi'), 'Env has GREETING');
      t.ok((cfg.Env as string[]).includes('NAME=the world'), 'Env has NAME, quotes removed');
      t.ok((cfg.Env as string[]).some((e) => e.startsWith('PATH=')), 'PATH stays');
      t.same(cfg.ExposedPorts, { '8080/tcp': {} }, 'ExposedPorts');
      t.equal(cfg.WorkingDir, '/app', 'WorkingDir');
      t.same(cfg.Cmd, ['sh', '-c', 'echo $GREETING $NAME; cat /app/hello.txt'], 'Cmd');
      t.equal(await out(['run', '--rm', 'tut', 'cat', '/app/hello.txt', '/app/sub/w.txt', '/app/built.txt']), 'hello\nworld\nbuilt\n', 'copied and built files');
      t.equal(
        await out(['run', '--rm', 'tut', 'stat', '-c', '%u:%g %n', '/app/hello.txt', '/app/sub', '/app/sub/w.txt', '/app/Dockerfile']),
        '0:0 /app/hello.txt\n0:0 /app/sub\n0:0 /app/sub/w.txt\n0:0 /app/Dockerfile\n',
        'copied files are owned by root',
      );
      t.equal(await out(['run', '--rm', 'tut', 'pwd']), '/app\n', 'the working directory');

      const alias = await build(['-q', '-t', 'tut-image', dir], {});
      t.equal(alias.code, 0, alias.stderr);
      for (const cmd of [['image', 'build'], ['buildx', 'build']]) {
        const r2 = await h.run([...cmd, '-q', '-t', `tut-${cmd[0]}`, dir], { timeoutMs: BUILD_TIMEOUT });
        t.equal(r2.code, 0, `husk ${cmd.join(' ')} works: ${r2.stderr}`);
        t.equal(r2.stdout.trim(), lastLine(r), `husk ${cmd.join(' ')}: the same image, from the cache`);
      }
    });

    await t.test('CMD and ENTRYPOINT as docker documents them', async (t) => {
      const cases: Array<{ name: string; from?: string; df: string[]; ep: unknown; cmd: unknown; runs: string }> = [
        { name: 'cmdexec', df: ['CMD ["echo","cmd-exec"]'], ep: null, cmd: ['echo', 'cmd-exec'], runs: 'cmd-exec\n' },
        { name: 'cmdshell', df: ['CMD echo cmd-shell $HOME'], ep: null, cmd: ['/bin/sh', '-c', 'echo cmd-shell $HOME'], runs: 'cmd-shell /root\n' },
        { name: 'epexec', df: ['ENTRYPOINT ["echo","ep"]', 'CMD ["cmd"]'], ep: ['echo', 'ep'], cmd: ['cmd'], runs: 'ep cmd\n' },
        { name: 'epshell', df: ['ENTRYPOINT echo ep-shell', 'CMD ["ignored"]'], ep: ['/bin/sh', '-c', 'echo ep-shell'], cmd: ['ignored'], runs: 'ep-shell\n' },
        { name: 'epexeccmdshell', df: ['ENTRYPOINT ["echo","ep"]', 'CMD echo x'], ep: ['echo', 'ep'], cmd: ['/bin/sh', '-c', 'echo x'], runs: 'ep /bin/sh -c echo x\n' },
        { name: 'epnocmd', df: ['ENTRYPOINT ["echo","only-ep"]'], ep: ['echo', 'only-ep'], cmd: null, runs: 'only-ep\n' },
        { name: 'parent', df: ['CMD ["echo","from-parent"]'], ep: null, cmd: ['echo', 'from-parent'], runs: 'from-parent\n' },
        { name: 'child', from: 'parent', df: ['ENTRYPOINT ["echo","child-ep"]'], ep: ['echo', 'child-ep'], cmd: null, runs: 'child-ep\n' },
        { name: 'child2', from: 'parent', df: ['LABEL x=y'], ep: null, cmd: ['echo', 'from-parent'], runs: 'from-parent\n' },
      ];
      for (const c of cases) {
        const dir = context(`ep-${c.name}`, { Dockerfile: [`FROM ${c.from ?? base}`, ...c.df, ''].join('\n') });
        await built(['-q', '-t', c.name, dir]);
        const cfg = (await inspect(c.name)).Config;
        t.same([cfg.Entrypoint ?? null, cfg.Cmd ?? null], [c.ep, c.cmd], `${c.name}: Entrypoint and Cmd`);
        t.equal((await h.run(['run', '--rm', c.name])).stdout, c.runs, `${c.name}: what run does`);
      }
      // As podman prints them: a field the image lacks is null, not an error.
      for (const [name, want] of [['cmdexec', 'null ["echo","cmd-exec"]'], ['child', '["echo","child-ep"] null'], ['epexec', '["echo","ep"] ["cmd"]']]) {
        const r = await h.run(['image', 'inspect', '--format', '{{json .Config.Entrypoint}} {{json .Config.Cmd}}', name!]);
        t.same([r.code, r.stdout.trim(), r.stderr], [0, want, ''], `${name}: inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}'`);
      }
      t.equal(await out(['run', '--rm', 'epexec', 'extra']), 'ep extra\n', 'arguments to run replace CMD after an exec ENTRYPOINT');
      t.equal(await out(['run', '--rm', 'epshell', 'extra']), 'ep-shell\n', 'a shell ENTRYPOINT ignores them');
    });

    await t.test('multi-stage: COPY --from a named stage; --target', async (t) => {
      const dir = context('multistage', {
        Dockerfile: [
          `FROM ${base} AS builder`,
          "RUN mkdir /out && printf '#!/bin/sh\\necho from-builder\\n' > /out/bin && chmod 755 /out/bin && echo junk > /builder-only",
          `FROM ${base}`,
          'COPY --from=builder /out/bin /usr/local/bin/x',
          'CMD ["x"]',
          '',
        ].join('\n'),
      });
      const r = await built(['-t', 'ms', dir]);
      t.match(r.stdout, /^\[1\/2\] STEP 1\/2: FROM busybox AS builder$/m, 'stages are numbered as podman does');
      t.match(r.stdout, /^\[2\/2\] STEP 2\/3: COPY --from=builder \/out\/bin \/usr\/local\/bin\/x$/m);
      t.equal(await out(['run', '--rm', 'ms']), 'from-builder\n', 'the final image runs what the builder made');
      t.equal(await out(['run', '--rm', 'ms', 'stat', '-c', '%a %u:%g', '/usr/local/bin/x']), '755 0:0\n', 'mode kept, owned by root');
      const gone = await h.run(['run', '--rm', 'ms', 'sh', '-c', 'ls /builder-only /out']);
      t.not(gone.code, 0, 'the builder\'s other files are not in the final image');
      t.match(gone.stderr + gone.stdout, /builder-only: No such file/);
      t.equal((await inspect('ms')).RootFS.Layers.length, 2, 'base layer + one COPY layer');

      await built(['-q', '--target', 'builder', '-t', 'msb', dir]);
      t.equal(await out(['run', '--rm', 'msb', 'cat', '/builder-only']), 'junk\n', '--target builder gives the builder stage');
      t.equal(await out(['run', '--rm', 'msb', 'sh', '-c', 'ls /usr/local/bin/x 2>/dev/null || echo absent']), 'absent\n', 'without the final stage\'s COPY');
      const bad = await build(['--target', 'nosuchstage', '-t', 'msx', dir]);
      t.equal(bad.code, 125, 'an unknown --target is refused');
      t.match(bad.stderr, /nosuchstage/);
    });

    await t.test('ARG and ENV substitution', async (t) => {
      const dir = context('args', {
        Dockerfile: [
          'ARG BASE=busybox',
          'ARG VERSION=1.0',
          'FROM ${BASE}',
          'ARG VERSION',
          'ARG FLAVOR',
          'ARG UNSET',
          'ARG OVER=from-arg',
          'ENV OVER=from-env',
          'RUN echo "version=$VERSION flavor=$FLAVOR def=${UNSET:-dflt} alt=${VERSION:+set} altunset=[${UNSET:+x}] over=$OVER" > /args.txt',
          'ENV V2=${VERSION:-none}-${FLAVOR:-plain}',
          'LABEL version=$VERSION',
          '',
        ].join('\n'),
      });
      await built(['-q', '-t', 'argt', dir]);
      t.equal(await out(['run', '--rm', 'argt', 'cat', '/args.txt']), 'version=1.0 flavor= def=dflt alt=set altunset=[] over=from-env\n', 'defaults; a global ARG re-declared in the stage');
      let info = await inspect('argt');
      t.same((info.Config.Env as string[]).filter((e) => !e.startsWith('PATH=')), ['OVER=from-env', 'V2=1.0-plain'], 'ENV persists, ARG does not');
      t.equal(info.Config.Labels?.version, '1.0', 'LABEL substituted');

      await built(['-q', '-t', 'argt2', '--build-arg', 'VERSION=2.5', '--build-arg', 'FLAVOR=spicy', '--build-arg', 'OVER=cli', dir]);
      t.equal(await out(['run', '--rm', 'argt2', 'cat', '/args.txt']), 'version=2.5 flavor=spicy def=dflt alt=set altunset=[] over=from-env\n', '--build-arg; ENV wins over ARG');
      info = await inspect('argt2');
      t.same((info.Config.Env as string[]).filter((e) => !e.startsWith('PATH=')), ['OVER=from-env', 'V2=2.5-spicy']);
      t.equal(info.Config.Labels?.version, '2.5');
      t.equal(await out(['run', '--rm', 'argt2', 'sh', '-c', 'echo "[$VERSION] [$FLAVOR]"']), '[] []\n', 'build args are not in the container\'s environment');
    });

    await t.test('heredocs: RUN <<EOF and COPY <<EOF', async (t) => {
      const dir = context('heredoc', {
        Dockerfile: [
          `FROM ${base}`,
          'RUN <<EOF',
          'set -e',
          'echo line1 > /hd.txt',
          'echo line2 >> /hd.txt',
          'EOF',
          'COPY <<EOF /etc/greeting',
          'hello from heredoc',
          'second line',
          'EOF',
          '',
        ].join('\n'),
      });
      await built(['-q', '-t', 'hd', dir]);
      t.equal(await out(['run', '--rm', 'hd', 'cat', '/hd.txt']), 'line1\nline2\n', 'the RUN heredoc ran as one script');
      t.equal(await out(['run', '--rm', 'hd', 'cat', '/etc/greeting']), 'hello from heredoc\nsecond line\n', 'the COPY heredoc is the file');
      t.equal(await out(['run', '--rm', 'hd', 'stat', '-c', '%u:%g', '/etc/greeting']), '0:0\n');
    });

    await t.test('.dockerignore with an exception', async (t) => {
      const dir = context('ignore', {
        'a.txt': 'a\n',
        'b.txt': 'b\n',
        'keep.txt': 'keep\n',
        'other.md': 'other\n',
        'd/x.txt': 'dx\n',
        '.dockerignore': '*.txt\n!keep.txt\n',
        Dockerfile: `FROM ${base}\nCOPY . /ctx/\n`,
      });
      await built(['-q', '-t', 'ign', dir]);
      t.equal(
        await out(['run', '--rm', 'ign', 'find', '/ctx']).then((s) => lines(s).sort().join('\n')),
        ['/ctx', '/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/d', '/ctx/d/x.txt', '/ctx/keep.txt', '/ctx/other.md'].join('\n'),
        '*.txt at the top is left out, keep.txt is not; d/x.txt is not matched by *.txt (patterns are relative to the root)',
      );
    });

    await t.test('a RUN that deletes files: gone in the image; history and layers agree', async (t) => {
      t.equal(await out(['run', '--rm', base, 'cat', '/notexec']).then((s) => s.length > 0), true, 'the base has /notexec');
      const dir = context('delete', {
        Dockerfile: [`FROM ${base}`, 'RUN echo temp > /tmp/made && rm /notexec', 'RUN rm /tmp/made', ''].join('\n'),
      });
      await built(['-q', '-t', 'rmt', dir]);
      const r = await h.run(['run', '--rm', 'rmt', 'sh', '-c', 'ls /notexec /tmp/made; echo rc=$?']);
      t.match(r.stdout, /rc=1/, 'both are gone');
      t.match(r.stderr, /\/notexec: No such file/);
      t.match(r.stderr, /\/tmp\/made: No such file/);
      const layers = (await inspect('rmt')).RootFS.Layers as string[];
      t.equal(layers.length, 3, 'the base layer and one per RUN');
      const hist = await h.run(['history', '-q', 'rmt']);
      t.equal(hist.code, 0, hist.stderr);
      t.equal(lines(hist.stdout).length, 3, 'history has a row per layer');
      const full = await out(['history', '--no-trunc', 'rmt']);
      t.match(full, /rm \/tmp\/made/, 'the RUN commands are in the history');
      t.match(full, /echo temp > \/tmp\/made && rm \/notexec/);
    });

    await t.test('the cache: every step again, a changed file from its COPY on, --no-cache', async (t) => {
      const dir = context('cache', {
        'a.txt': 'one\n',
        'b.txt': 'b\n',
        Dockerfile: [`FROM ${base}`, 'RUN echo first > /first', 'COPY a.txt /a.txt', 'RUN cat /a.txt > /copy', 'COPY b.txt /b.txt', ''].join('\n'),
      });
      const first = await built(['-t', 'cache', dir]);
      t.notMatch(first.stdout, /Using cache/, 'the first build uses no cache');
      const again = await built(['-t', 'cache', dir]);
      t.equal(again.stdout.match(/^--> Using cache [0-9a-f]{64}$/gm)?.length, 4, 'the second build: Using cache for each of the 4 steps after FROM');
      t.equal(lastLine(again), lastLine(first), 'the same image id');

      fs.utimesSync(path.join(dir, 'a.txt'), new Date(), new Date(Date.now() + 5000));
      const touched = await built(['-t', 'cache', dir]);
      t.equal(touched.stdout.match(/^--> Using cache /gm)?.length, 4, 'a new mtime alone keeps the cache (content counts, as in docker and podman)');

      fs.writeFileSync(path.join(dir, 'a.txt'), 'two\n');
      const changed = await built(['-t', 'cache', dir]);
      const steps = changed.stdout.split(/^(?=STEP )/m).filter((s) => s.startsWith('STEP '));
      t.equal(steps.length, 5);
      t.match(steps[1], /Using cache/, 'the RUN before the COPY is cached');
      for (const i of [2, 3, 4]) t.notMatch(steps[i], /Using cache/, `step ${i + 1} and after rebuild`);
      t.not(lastLine(changed), lastLine(first), 'a new image');
      t.equal(await out(['run', '--rm', 'cache', 'cat', '/copy']), 'two\n', 'with the new content');

      const nocache = await built(['--no-cache', '-t', 'cache', dir]);
      t.notMatch(nocache.stdout, /Using cache/, '--no-cache rebuilds every step');
      t.equal(await out(['run', '--rm', 'cache', 'cat', '/first', '/copy']), 'first\ntwo\n');
    });

    await t.test('a registry repository shares the cache: --cache-to, then --cache-from in a fresh store', { skip: registryToolsMissing() }, async (t) => {
      const tmp = fs.mkdtempSync('/tmp/hbcache-');
      fs.chmodSync(tmp, 0o755);
      t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
      const reg = await startRegistry({ dir: tmp });
      t.teardown(() => reg.stop());
      const registry = `localhost:${reg.port}`;
      // Both stores build on the same base image, as CI runners pulling one base do.
      await ok(['push', '--tls-verify=false', base, `${registry}/base:1`]);
      const dir = context('shared', {
        'a.txt': 'shared\n',
        Dockerfile: [`FROM ${registry}/base:1`, 'COPY a.txt /a.txt', 'RUN cat /a.txt > /copy', 'ENV X=1', ''].join('\n'),
      });
      const remote = ['--tls-verify=false', '--cache-to', `${registry}/cache`];
      const first = await built([...remote, '-t', 'shared', dir]);
      t.notMatch(first.stdout, /Using cache/);
      const tags = (await (await fetch(`http://${registry}/v2/cache/tags/list`)).json()) as { tags?: string[] };
      t.equal(tags.tags?.length, 3, 'one tag per step after FROM, named by its cache key');
      t.ok(tags.tags?.every((x) => /^[0-9a-f]{64}$/.test(x)));

      const other = await newHusk(mode);
      t.teardown(() => other.cleanup());
      const again = await other.run(['build', '--tls-verify=false', '--cache-from', `${registry}/cache`, '-t', 'shared', dir], { timeoutMs: BUILD_TIMEOUT });
      t.equal(again.code, 0, again.stderr);
      t.equal(again.stdout.match(/^--> Using cache [0-9a-f]{64}$/gm)?.length, 3, 'every step from the registry');
      t.equal(lastLine(again), lastLine(first), 'the same image id on the other store');
      t.equal((await other.run(['run', '--rm', 'shared', 'cat', '/copy'])).stdout, 'shared\n');
      t.notMatch((await other.run(['images', '--format', '{{.Repository}}'])).stdout, /cache/, 'the cache tags are no image names');
      fs.writeFileSync(path.join(dir, 'Dockerfile'), [`FROM ${registry}/base:1`, 'COPY a.txt /a.txt', 'RUN cat /a.txt > /copy', 'ENV X=2', ''].join('\n'));
      const miss = await other.run(['build', '--tls-verify=false', '--cache-from', `${registry}/nothing-here`, dir], { timeoutMs: BUILD_TIMEOUT });
      t.equal(miss.code, 0, 'a repository without the keys only misses');
      t.equal(miss.stdout.match(/^--> Using cache /gm)?.length, 2, 'the unchanged steps from the store, the changed one built');
    });

    await t.test('--squash and --squash-all: one new layer, deletions kept', async (t) => {
      const dir = context('squash', { Dockerfile: [`FROM ${base}`, 'RUN echo a > /a', 'RUN echo b > /b && rm /etc/group', 'CMD ["cat", "/a", "/b"]', ''].join('\n') });
      const baseLayers = (await inspect(base)).RootFS.Layers.length as number;
      await built(['-q', '-t', 'plain', dir]);
      t.equal((await inspect('plain')).RootFS.Layers.length, baseLayers + 2);
      await built(['-q', '--squash', '-t', 'sq', dir]);
      const sq = await inspect('sq');
      t.equal(sq.RootFS.Layers.length, baseLayers + 1, '--squash: the base layers and one more');
      t.equal((sq.History as Array<{ empty_layer?: boolean }>).filter((e) => !e.empty_layer).length, baseLayers + 1, 'history agrees with the layers');
      await built(['-q', '--squash-all', '-t', 'sqa', dir]);
      t.equal((await inspect('sqa')).RootFS.Layers.length, 1, '--squash-all: one layer');
      for (const name of ['sq', 'sqa']) {
        t.equal(await out(['run', '--rm', name]), 'a\nb\n', `${name}: the files of both steps`);
        t.not((await h.run(['run', '--rm', name, 'test', '-e', '/etc/group'])).code, 0, `${name}: a file the build deleted stays deleted`);
      }
    });

    await t.test('COPY --chown, --chmod, --exclude, --parents; ADD of a URL with --checksum and of a local tar', async (t) => {
      const payload = 'downloaded\n';
      const digest = `sha256:${crypto.createHash('sha256').update(payload).digest('hex')}`;
      const server = http.createServer((req, res) => {
        if (req.url === '/files/note.txt') res.end(payload);
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.teardown(() => server.close());
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/files/note.txt`;
      const dir = context('copyflags', {
        'a.txt': 'a\n',
        'src/app/main.txt': 'main\n',
        'src/app/debug.log': 'log\n',
        'src/lib/util.txt': 'util\n',
        Dockerfile: [
          `FROM ${base}`,
          'COPY --chown=1000:1000 --chmod=640 a.txt /owned/a.txt',
          'COPY --exclude=**/*.log src/ /tree/',
          'COPY --parents src/app/main.txt src/lib/util.txt /kept/',
          `ADD --checksum=${digest} ${url} /downloads/`,
          'ADD pack.tar.gz /unpacked/',
          '',
        ].join('\n'),
      });
      const tarDir = path.join(h.dir, 'packsrc');
      fs.mkdirSync(path.join(tarDir, 'inner'), { recursive: true });
      fs.writeFileSync(path.join(tarDir, 'inner', 'x.txt'), 'x\n');
      execFileSync('tar', ['czf', path.join(dir, 'pack.tar.gz'), '-C', tarDir, 'inner']);
      chownTree(dir);
      await built(['-q', '-t', 'flags', dir]);
      const sh = async (cmd: string) => out(['run', '--rm', 'flags', 'sh', '-c', cmd]);
      t.equal(await sh('stat -c %u:%g:%a /owned/a.txt'), '1000:1000:640\n', '--chown and --chmod');
      t.equal(await sh('cd /tree && find . -type f | sort'), './app/main.txt\n./lib/util.txt\n', '--exclude leaves the .log out; a directory source copies its contents');
      t.equal(await sh('cd /kept && find . -type f | sort'), './src/app/main.txt\n./src/lib/util.txt\n', '--parents keeps the source paths');
      t.equal(await sh('cat /downloads/note.txt; stat -c %a /downloads/note.txt'), 'downloaded\n600\n', 'ADD URL: named after the URL, mode 600');
      t.equal(await sh('cat /unpacked/inner/x.txt'), 'x\n', 'ADD of a local tar.gz unpacks it');

      fs.writeFileSync(path.join(dir, 'Dockerfile'), [`FROM ${base}`, `ADD --checksum=sha256:${'0'.repeat(64)} ${url} /d/`, ''].join('\n'));
      const bad = await build(['-q', dir]);
      t.equal(bad.code, 125, 'a checksum that does not match fails the build');
      t.match(bad.stderr, /does not match the download/);
    });

    await t.test('--target, Dockerfile on stdin, -f, -q, --iidfile, --label, several -t', async (t) => {
      const dir = context('stdin', { 'f.txt': 'ctxfile\n', 'Custom.build': `FROM ${base}\nCOPY f.txt /f\n` });
      const noCtx = await build(['-t', 'st1', '-'], { input: `FROM ${base}\nRUN echo from-stdin > /s\n` });
      t.equal(noCtx.code, 0, `build - < Dockerfile: ${noCtx.stderr}`);
      t.match(noCtx.stdout, /^STEP 2\/2: RUN echo from-stdin > \/s$/m);
      t.equal(await out(['run', '--rm', 'st1', 'cat', '/s']), 'from-stdin\n');
      const noCtxCopy = await build(['-t', 'st1b', '-'], { input: `FROM ${base}\nCOPY f.txt /f\n` });
      t.not(noCtxCopy.code, 0, 'without a context there is nothing to COPY');
      t.equal(await exists('st1b'), false);

      const fStdin = await build(['-q', '-t', 'st2', '-f', '-', dir], { input: `FROM ${base}\nCOPY f.txt /f\n` });
      t.equal(fStdin.code, 0, `-f - CONTEXT: ${fStdin.stderr}`);
      t.match(fStdin.stdout, /^[0-9a-f]{64}\n$/, '-q prints only the id');
      t.equal(await out(['run', '--rm', 'st2', 'cat', '/f']), 'ctxfile\n');

      const custom = await built(['-q', '-f', path.join(dir, 'Custom.build'), '-t', 'st3', dir]);
      t.equal(custom.stdout.trim(), fStdin.stdout.trim(), '-f with another name: the same Dockerfile gives the same (cached) image');

      const iid = path.join(h.dir, 'files', 'iid');
      const labelled = await built(['-q', '-f', path.join(dir, 'Custom.build'), '--iidfile', iid, '--label', 'a=b', '--label', 'c=d e', '-t', 'st4', '-t', 'st4b:v2', dir]);
      t.equal(fs.readFileSync(iid, 'utf8'), `sha256:${labelled.stdout.trim()}`, '--iidfile holds sha256:ID, no newline');
      t.equal(await out(['run', '--rm', 'st4b:v2', 'cat', '/f']), 'ctxfile\n', 'every -t names it');
      t.equal(await imageId('st4'), await imageId('st4b:v2'));
      const labels = (await inspect('st4')).Config.Labels as Record<string, string>;
      t.equal(labels.a, 'b', '--label');
      t.equal(labels.c, 'd e');
      t.not(labelled.stdout.trim(), custom.stdout.trim(), 'labels make another image');
    });

    await t.test('--secret: readable in RUN --mount=type=secret, in no layer', async (t) => {
      const secret = `s3cr3t-${crypto.randomBytes(8).toString('hex')}`;
      const src = h.writeFile('token', secret);
      const sha = crypto.createHash('sha256').update(secret).digest('hex');
      const dir = context('secret', {
        Dockerfile: [
          `FROM ${base}`,
          'RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | cut -d" " -f1 > /secret.sha',
          'RUN --mount=type=secret,id=tok,target=/tok cat /tok > /dev/null && echo read-ok > /read',
          'RUN ls /run/secrets/tok /tok > /after 2>&1; true',
          '',
        ].join('\n'),
      });
      const r = await built(['-t', 'sec', '--secret', `id=tok,src=${src}`, dir]);
      t.notMatch(r.stdout + r.stderr, new RegExp(secret), 'the secret is not printed');
      t.equal(await out(['run', '--rm', 'sec', 'cat', '/secret.sha']), `${sha}\n`, 'the RUN read the secret at /run/secrets/ID');
      t.equal(await out(['run', '--rm', 'sec', 'cat', '/read']), 'read-ok\n', 'and at target=');
      t.match(await out(['run', '--rm', 'sec', 'cat', '/after']), /No such file/, 'a later RUN without the mount does not see it');
      const saved = path.join(h.dir, 'files', 'sec.tar');
      await ok(['save', '-o', saved, 'sec']);
      const { layers, all } = await archiveLayers(saved);
      t.notOk(all.includes(Buffer.from(secret)), 'the secret is nowhere in the saved image (layers, config, history)');
      for (const [i, layer] of layers.entries()) {
        const data = layer[0] === 0x1f && layer[1] === 0x8b ? zlib.gunzipSync(layer) : layer;
        t.notOk(data.includes(Buffer.from(secret)), `not in layer ${i}`);
        t.notOk((await tarNames(layer)).some((e) => /^(run\/secrets\/tok|tok)$/.test(e.name) && e.size > 0), `no secret file in layer ${i}`);
      }
    });

    await t.test('reproducible: --timestamp 0 and SOURCE_DATE_EPOCH give identical images', async (t) => {
      const dir = context('repro', {
        f: 'data\n',
        Dockerfile: [`FROM ${base}`, 'COPY f /f', 'RUN echo made > /m && mkdir -p /var/x && touch /var/x/y', 'ENV X=1', 'CMD ["cat","/f"]', ''].join('\n'),
      });
      const one = await built(['-q', '--no-cache', '--timestamp', '0', '-t', 'r1', dir]);
      const firstDone = Date.now();
      // Another second on the clock and another mtime for the source: the result must not change.
      fs.utimesSync(path.join(dir, 'f'), new Date(), new Date(Date.now() + 3000));
      await waitFor(() => Date.now() > firstDone + 1100, 3000, 50);
      const two = await built(['-q', '--no-cache', '--timestamp', '0', '-t', 'r2', dir]);
      t.equal(two.stdout.trim(), one.stdout.trim(), '--timestamp 0 twice: the same image id');
      const [i1, i2] = [await inspect('r1'), await inspect('r2')];
      t.equal(i1.Digest, i2.Digest, 'and the same digest');
      t.equal(new Date(i1.Created as string).getTime(), 0, 'created at the epoch');

      // Docker's SOURCE_DATE_EPOCH: a COPY-and-metadata Dockerfile (no file made by a RUN, whose mtime docker keeps).
      const sde = context('sde', { f: 'data\n', Dockerfile: [`FROM ${base}`, 'COPY f /f', 'ENV X=1', 'CMD ["cat","/f"]', ''].join('\n') });
      fs.utimesSync(path.join(sde, 'f'), 1_600_000_000, 1_600_000_000);
      const env = { SOURCE_DATE_EPOCH: '1700000000' };
      const a = await built(['-q', '--no-cache', '-t', 'sde1', sde], { env });
      const b = await built(['-q', '--no-cache', '-t', 'sde2', sde], { env });
      t.equal(b.stdout.trim(), a.stdout.trim(), 'SOURCE_DATE_EPOCH twice: the same image id');
      t.equal(new Date((await inspect('sde1')).Created as string).getTime(), 1_700_000_000_000, 'created at SOURCE_DATE_EPOCH');
    });

    await t.test('a failing RUN: its exit status, the step named, no image, no container left', async (t) => {
      // Named images only: podman keeps the steps that worked as untagged (cache) images, and lists them.
      const named = async () => lines(await out(['images', '--format', '{{.Repository}}:{{.Tag}}'])).filter((l) => !l.startsWith('<none>')).sort();
      const before = await named();
      const dir = context('fail', { Dockerfile: [`FROM ${base}`, 'RUN echo before', 'RUN echo about-to-fail; exit 3', 'RUN echo never', ''].join('\n') });
      const r = await build(['-t', 'fail', dir]);
      t.equal(r.code, 3, 'exit status 3, the RUN\'s own (podman\'s behaviour)');
      t.match(r.stdout, /^about-to-fail$/m, 'the step\'s output was shown');
      t.notMatch(r.stdout, /^never$/m, 'the next step did not run');
      t.notMatch(r.stdout, /Successfully tagged/);
      t.match(r.stderr, /^Error: .*RUN echo about-to-fail; exit 3.*status 3/m, 'stderr names the step and the status');
      t.equal(await exists('fail'), false, 'no image tagged');
      t.notMatch(await out(['images']), /localhost\/fail\s/, 'not in images');
      t.same(await h.containerIds(), [], 'no container left');
      t.same(await named(), before, 'images lists no new named image');
    });

    await t.test('malformed Dockerfiles: exit 125, one Error line naming the line', async (t) => {
      const bad: Array<[string, string, RegExp]> = [
        ['unknown', `FROM ${base}\nFOO bar\n`, /^Error: .*Dockerfile:2: FOO: .*unknown instruction/i],
        ['nofrom', 'RUN echo hi\n', /^Error: .*Dockerfile:1: RUN: .*FROM/],
        ['copy1', `FROM ${base}\nCOPY onlyone\n`, /^Error: .*Dockerfile:2: COPY: /],
        ['heredoc', `FROM ${base}\nRUN <<EOF\necho hi\n`, /^Error: .*Dockerfile:2: RUN: .*heredoc/i],
        ['badflag', `FROM ${base}\nCOPY --nosuch=1 a b\n`, /^Error: .*Dockerfile:2: COPY: .*nosuch/],
      ];
      for (const [name, text, re] of bad) {
        const dir = context(`bad-${name}`, { Dockerfile: text });
        const r = await build(['-t', `bad${name}`, dir]);
        t.equal(r.code, 125, `${name}: exit 125`);
        t.equal(lines(r.stderr).length, 1, `${name}: one line on stderr: ${r.stderr}`);
        t.match(r.stderr, re, `${name}: ${r.stderr.trim()}`);
        t.equal(await exists(`bad${name}`), false, `${name}: no image`);
      }
      // Not JSON after all: docker and podman run it in shell form.
      const dir = context('badjson', { Dockerfile: `FROM ${base}\nCMD ["echo", "hi"\n` });
      await built(['-q', '-t', 'badjson', dir]);
      t.equal((await out(['image', 'inspect', '--format', '{{json .Config.Cmd}}', 'badjson'])).trim(), JSON.stringify(['/bin/sh', '-c', '["echo", "hi"']), 'bad JSON in exec form is shell form');
      t.same(await h.containerIds(), [], 'no container left by any of them');
    });

    await t.test('hostile context: ../ and symlinks stay inside the context', async (t) => {
      const outsideSecret = `outside-${crypto.randomBytes(6).toString('hex')}`;
      const files = path.join(h.dir, 'files');
      fs.writeFileSync(path.join(files, 'outside'), outsideSecret);
      const dir = context('hostile', {
        'D1': `FROM ${base}\nCOPY ../outside /x\n`,
        'D2': `FROM ${base}\nCOPY link /x\n`,
        'D3': `FROM ${base}\nCOPY uplink /x\n`,
        'D4': `FROM ${base}\nCOPY . /ctx/\n`,
      });
      fs.symlinkSync('/etc/shadow', path.join(dir, 'link'));
      fs.symlinkSync('../outside', path.join(dir, 'uplink'));
      chownTree(dir);

      const up = await build(['-t', 'h1', '-f', path.join(dir, 'D1'), dir]);
      t.equal(up.code, 125, 'COPY ../outside is refused');
      t.match(up.stderr, /outside the build context|no such file|not found/i);
      t.equal(await exists('h1'), false);
      for (const [df, tag] of [['D2', 'h2'], ['D3', 'h3']] as const) {
        const r = await build(['-t', tag, '-f', path.join(dir, df), dir]);
        t.equal(r.code, 125, `${df}: a symlink out of the context resolves inside it, to nothing there`);
        t.match(r.stderr, /no such file|not found|outside the build context/i);
        t.equal(await exists(tag), false, `${df}: no image`);
      }
      await built(['-q', '-t', 'h4', '-f', path.join(dir, 'D4'), dir]);
      t.equal(await out(['run', '--rm', 'h4', 'sh', '-c', 'readlink /ctx/link; readlink /ctx/uplink']), '/etc/shadow\n../outside\n', 'COPY . copies the symlinks as symlinks');
      const saved = path.join(files, 'h4.tar');
      await ok(['save', '-o', saved, 'h4']);
      const all = fs.readFileSync(saved);
      t.notOk(all.includes(Buffer.from(outsideSecret)), 'the outside file\'s content is in no layer');
      const shadow = fs.readFileSync('/etc/shadow', 'utf8').split('\n')[0];
      if (shadow) t.notOk(all.includes(Buffer.from(shadow)), 'nor is the host\'s /etc/shadow');
    });

    await t.test('interop with podman and skopeo', { skip: mode === 'root' ? podmanMissing() : 'root only (podman with its own store as root)' }, async (t) => {
      const pm = podman(t);
      const dir = context('interop', {
        f: 'hello\n',
        Dockerfile: [`FROM ${base}`, 'COPY f /opt/app/f', 'RUN mkdir -p /opt/app/sub && echo x > /opt/app/sub/g && rm /notexec && echo y >> /etc/passwd', 'CMD ["cat","/opt/app/f"]', ''].join('\n'),
      });
      await built(['-q', '-t', 'interop', dir]);
      const saved = path.join(h.dir, 'files', 'interop.tar');
      await ok(['save', '-o', saved, 'interop']);
      const sk = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${saved}`], { encoding: 'utf8' })) as { Layers: string[]; Os: string; Architecture: string };
      t.equal(sk.Layers.length, 3, 'skopeo reads the archive: three layers');
      t.equal(sk.Os, 'linux', 'and the config');
      pm(['load', '-i', saved]);
      t.equal(pm(['run', '--rm', 'localhost/interop:latest']), 'hello\n', 'podman runs the image husk built');
      t.equal(pm(['run', '--rm', 'localhost/interop:latest', 'cat', '/opt/app/sub/g']), 'x\n');

      // podman builds the same Dockerfile on the same base: the same files in the top layer.
      pm(['import', '--change', 'CMD ["sh"]', fixtures.busyboxTar, 'busybox:latest']);
      pm(['build', '-q', '-t', 'interop-podman', dir]);
      const psaved = path.join(h.dir, 'files', 'interop-podman.tar');
      pm(['save', '-o', psaved, 'interop-podman']);
      const mine = await archiveLayers(saved);
      const theirs = await archiveLayers(psaved);
      t.equal(mine.layers.length, theirs.layers.length, 'as many layers as podman\'s');
      // buildah leaves an empty /etc/resolv.conf (its mount point) in RUN layers; docker does not.
      const stub = (e: { name: string; type: string; size: number }) => e.name === 'etc/resolv.conf' && e.size === 0;
      const names = async (layer: Buffer, dropStubs: boolean) =>
        (await tarNames(layer)).filter((e) => !(dropStubs && stub(e))).map((e) => `${e.type === 'directory' ? 'd' : e.type === 'symlink' ? 'l' : 'f'} ${e.name}`).sort();
      for (const i of [1, 2]) t.same(await names(mine.layers[i]!, false), await names(theirs.layers[i]!, true), `layer ${i}: the same entries as podman's`);
    });

    await t.test('SIGKILL during a long RUN: nothing left behind, the next build works', async (t) => {
      const sleepArg = mode === 'root' ? '3021' : '3022';
      const dir = context('killed', { Dockerfile: `FROM ${base}\nRUN echo long-step-started; sleep ${sleepArg}\n` });
      // Should husk leave the step running, it ends with this test, not an hour later.
      t.teardown(() => {
        for (const pid of Husk.pidsOf('sleep', sleepArg)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      });
      const imagesBefore = (await out(['images', '-q'])).trim();
      const child = h.spawn(['build', '-t', 'killed', dir]);
      let stdout = '';
      child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr!.on('data', () => {});
      child.stdin!.end();
      const ended = new Promise<void>((r) => child.on('close', () => r()));
      t.ok(await waitFor(() => /^long-step-started$/m.test(stdout), 60_000), 'the RUN step is running');
      t.ok(Husk.pidsOf('sleep', sleepArg).length > 0, 'its sleep is there');
      const huskPids = Husk.pidsMatching(h.root).filter((pid) => {
        try {
          const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          return argv.includes('build') && argv.includes('killed') && argv.some((a) => a.endsWith('/bin/husk'));
        } catch {
          return false;
        }
      });
      t.ok(huskPids.length >= 1, 'the husk build process found');
      for (const pid of huskPids) process.kill(pid, 'SIGKILL');
      await ended;
      t.ok(await waitFor(() => Husk.pidsOf('sleep', sleepArg).length === 0, 20_000), 'the RUN\'s process does not outlive the build');
      t.ok(await waitFor(async () => (await h.containerIds()).length === 0, 20_000), 'ps -a shows no container');
      // Build containers show with --external only (podman's ps too); none may be left there either.
      const external = async () => lines((await h.run(['ps', '-a', '-q', '--external'])).stdout);
      t.same(await waitFor(async () => (await external()).length === 0, 20_000) ? [] : await external(), [], 'ps -a --external shows no build container');
      t.equal((await out(['images', '-q'])).trim(), imagesBefore, 'images shows nothing new');
      t.equal(await exists('killed'), false);
      const next = context('after-kill', { Dockerfile: `FROM ${base}\nRUN echo after > /after\n` });
      await built(['-q', '-t', 'killed', next]);
      t.equal(await out(['run', '--rm', 'killed', 'cat', '/after']), 'after\n', 'the next build succeeds');
    });
  });
}
