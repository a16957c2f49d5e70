// Short names resolved through registries.conf as podman resolves them:
// an alias, or the one unqualified-search registry; several candidates
// without a terminal are an error; a blocked registry is refused; `insecure`
// lets a registry be reached over plain http.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fixtures, lines, modes, newHusk } from '../helpers/husk.js';

import { registryToolsMissing, skopeoCopy, startRegistry, writeOciLayout } from '../helpers/registry.js';

const missing = registryToolsMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const tmp = fs.mkdtempSync('/tmp/hshort-');
  fs.chmodSync(tmp, 0o755);
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const layout = path.join(tmp, 'layout');
  const { configDigest } = writeOciLayout(fixtures.busyboxTar, layout, { tag: 'latest' });
  const reg = await startRegistry({ dir: tmp });
  t.teardown(() => reg.stop());
  skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/tiny:latest`);
  skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/team/app:1`);
  skopeoCopy(`oci:${layout}:latest`, `docker://${reg.host}/team/app:2`);
  const registry = `localhost:${reg.port}`;

  const conf = (name: string, text: string) => {
    const file = path.join(tmp, `${name}.conf`);
    fs.writeFileSync(file, text, { mode: 0o644 });
    return { CONTAINERS_REGISTRIES_CONF: file };
  };
  const single = conf('single', `unqualified-search-registries = ["${registry}"]\n[[registry]]\nlocation = "${registry}"\ninsecure = true\n`);
  const two = conf('two', `unqualified-search-registries = ["${registry}", "registry.example.com"]\n`);
  const alias = conf('alias', `[aliases]\n"myapp" = "${registry}/team/app"\n`);
  const blocked = conf('blocked', `unqualified-search-registries = ["${registry}"]\n[[registry]]\nlocation = "${registry}"\nblocked = true\n`);
  const none = conf('none', `unqualified-search-registries = []\n`);
  // A name that resolves nowhere (.invalid), sent to the test registry by location, behind a dead mirror.
  const moved = conf('moved', `[[registry]]\nprefix = "moved.invalid/team"\nlocation = "${registry}/team"\ninsecure = true\n[[registry.mirror]]\nlocation = "127.0.0.1:1/dead"\ninsecure = true\n`);
  // A mirror that has the image, in front of a registry that cannot be reached.
  const mirrored = conf('mirrored', `[[registry]]\nprefix = "mirrored.invalid"\n[[registry.mirror]]\nlocation = "${registry}"\ninsecure = true\n`);
  // A mirror only for pulls by digest: a pull by tag goes to the (unreachable) registry.
  const digestOnly = conf('digest-only', `[[registry]]\nprefix = "mirrored.invalid"\n[[registry.mirror]]\nlocation = "${registry}"\ninsecure = true\npull-from-mirror = "digest-only"\n`);

  for (const mode of modes()) {
    t.test(mode, async (t) => {
      const h = await newHusk(mode);
      t.teardown(() => h.cleanup());

      await t.test('one search registry: the short name is pulled from it', async (t) => {
        const r = await h.run(['pull', 'tiny'], { env: single });
        t.equal(r.code, 0, r.stderr);
        t.match(r.stderr, `Trying to pull ${registry}/tiny:latest...`);
        t.equal(lines(r.stdout).pop(), configDigest);
      });

      await t.test('run pulls a missing short name the same way', async (t) => {
        t.equal((await h.run(['rmi', `${registry}/tiny:latest`])).code, 0);
        const r = await h.run(['run', '--rm', 'tiny', 'echo', 'from short name'], { env: single });
        t.same([r.code, r.stdout], [0, 'from short name\n'], r.stderr);
      });

      await t.test('an alias', async (t) => {
        const r = await h.run(['pull', '--tls-verify=false', 'myapp:1'], { env: alias });
        t.equal(r.code, 0, r.stderr);
        t.match(r.stderr, `Trying to pull ${registry}/team/app:1...`);
      });

      await t.test('two search registries and no terminal: ambiguous', async (t) => {
        const r = await h.run(['pull', 'other'], { env: two });
        t.equal(r.code, 125);
        t.match(r.stderr, /short name "other" is ambiguous/);
        t.match(r.stderr, `${registry}/other:latest`);
        t.equal(lines(r.stderr).length, 1, 'one line');
      });

      await t.test('no search registry: a clear error; run keeps reporting a missing image', async (t) => {
        const r = await h.run(['pull', 'other'], { env: none });
        t.equal(r.code, 125);
        t.match(r.stderr, /did not resolve to an alias and no unqualified-search registries/);
        const run = await h.run(['run', '--rm', 'nosuchimage'], { env: none });
        t.equal(run.code, 125);
        t.match(run.stderr, /nosuchimage: image not known/);
      });

      await t.test('search: a registry\'s catalog, by name or through the search registries', async (t) => {
        const r = await h.run(['search', `${registry}/tin`]);
        t.equal(r.code, 0, r.stderr);
        t.match(r.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\n/);
        t.match(r.stdout, `${registry}/tiny`);
        t.notMatch(r.stdout, 'team/app', 'only what matches the term');
        const bare = await h.run(['search', '--format', 'json', 'app'], { env: single });
        t.same(JSON.parse(bare.stdout).map((x: { Name: string }) => x.Name), [`${registry}/team/app`]);
        const down = await h.run(['search', '127.0.0.1:1/x']);
        t.equal(down.code, 125);
        t.match(down.stderr, /searching 127\.0\.0\.1:1/);
      });

      await t.test('two pulls of the same image at once both succeed', async (t) => {
        const h2 = await newHusk(mode);
        t.teardown(() => h2.cleanup());
        const name = `${registry}/team/app:1`;
        const [a, b] = await Promise.all([h2.run(['pull', '-q', name]), h2.run(['pull', '-q', name])]);
        t.same([a.code, b.code], [0, 0], `${a.stderr}${b.stderr}`);
        t.equal(a.stdout, b.stdout, 'the same image id');
        t.equal(lines((await h2.run(['images', '-q'])).stdout).length, 1, 'one image');
        const run = await h2.run(['run', '--rm', name, 'echo', 'ok']);
        t.equal(run.stdout, 'ok\n');
      });

      await t.test('a pull killed at any moment leaves a store the next pull completes', async (t) => {
        const h2 = await newHusk(mode);
        t.teardown(() => h2.cleanup());
        const name = `${registry}/team/app:1`;
        for (const delay of [20, 60, 120, 250]) {
          const child = h2.spawn(['pull', '-q', name]);
          await new Promise((r) => setTimeout(r, delay));
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* already done */
          }
          await new Promise((r) => child.once('exit', r));
          const images = await h2.run(['images']);
          t.equal(images.code, 0, `images reads cleanly after a kill at ${delay} ms`);
          t.equal(lines(images.stdout)[0]?.split(/\s+/)[0], 'REPOSITORY');
          await h2.run(['rmi', '-f', name]); // the next round starts from nothing, or from what a finished pull left
        }
        const again = await h2.run(['pull', '-q', name]);
        t.equal(again.code, 0, again.stderr);
        t.equal((await h2.run(['run', '--rm', name, 'echo', 'whole'])).stdout, 'whole\n', 'and the image runs');
        const temps = ['layers', 'blobs/sha256'].flatMap((d) => fs.readdirSync(path.join(h2.root, d)).filter((f) => f.includes('tmp-')));
        t.same(temps, [], 'what the killed pulls left half-written is gone');
      });

      await t.test('on a terminal, pull draws a progress bar per layer', async (t) => {
        const h2 = await newHusk(mode);
        t.teardown(() => h2.cleanup());
        const r = await h2.runTty(['pull', `${registry}/team/app:1`]);
        t.equal(r.code, 0, r.stdout);
        t.match(r.stdout, /Copying blob [0-9a-f]{12} done/, 'each layer ends as done');
        t.match(r.stdout, /\x1b\[\d+A/, 'redrawn in place (cursor moved up)');
        t.match(r.stdout, /sha256:[0-9a-f]{64}/, 'the image id');
      });

      await t.test('registries.conf location and mirrors', async (t) => {
        const r = await h.run(['pull', 'moved.invalid/team/app:1'], { env: moved });
        t.equal(r.code, 0, r.stderr);
        t.match(r.stderr, /Mirror 127\.0\.0\.1:1\/dead\/app:1: .*trying the next source/, 'the dead mirror is passed over');
        t.equal(lines(r.stdout).pop(), configDigest);
        const images = await h.run(['images', '--format', '{{.Repository}}:{{.Tag}}']);
        t.match(images.stdout, 'moved.invalid/team/app:1', 'recorded under the name asked for');

        const m = await h.run(['pull', 'mirrored.invalid/tiny'], { env: mirrored });
        t.equal(m.code, 0, m.stderr);
        t.equal(lines(m.stdout).pop(), configDigest, 'pulled from the mirror');
        t.notMatch(m.stderr, /Mirror/, 'without a word about it');

        const byTag = await h.run(['pull', 'mirrored.invalid/tiny'], { env: digestOnly, timeoutMs: 60_000 });
        t.equal(byTag.code, 125, 'a digest-only mirror is not used for a tag');
        t.match(byTag.stderr, /mirrored\.invalid/);
        const digest = lines((await h.run(['images', '--format', '{{.Digest}}', 'mirrored.invalid/tiny'])).stdout)[0];
        t.match(digest, /^sha256:[0-9a-f]{64}$/);
        const byDigest = await h.run(['pull', `mirrored.invalid/tiny@${digest}`], { env: digestOnly });
        t.equal(byDigest.code, 0, `but for a digest: ${byDigest.stderr}`);
      });

      await t.test('pull --all-tags; --os/--arch/--variant', async (t) => {
        const h2 = await newHusk(mode);
        t.teardown(() => h2.cleanup());
        const r = await h2.run(['pull', '-a', '--tls-verify=false', `${registry}/team/app`]);
        t.same([r.code, lines(r.stdout)], [0, [configDigest, configDigest]], `an id per tag: ${r.stderr}`);
        const names = lines((await h2.run(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).sort();
        t.same(names, [`${registry}/team/app:1`, `${registry}/team/app:2`]);
        const tagged = await h2.run(['pull', '-a', `${registry}/team/app:1`]);
        t.equal(tagged.code, 125, 'a tag with --all-tags');
        t.match(tagged.stderr, /--all-tags takes a repository without a tag/);
        const both = await h2.run(['pull', '--platform', 'linux/amd64', '--arch', 'arm64', `${registry}/team/app:1`]);
        t.equal(both.code, 125);
        t.match(both.stderr, /--platform cannot be given with --os, --arch or --variant/);
        const arch = await h2.run(['pull', '-q', '--os', 'linux', '--arch', 'amd64', `${registry}/team/app:1`]);
        t.equal(arch.code, process.arch === 'x64' ? 0 : 125, arch.stderr);
      });

      await t.test('a blocked registry is refused', async (t) => {
        const r = await h.run(['pull', 'tiny'], { env: blocked });
        t.equal(r.code, 125);
        t.match(r.stderr, /blocked by registries\.conf/);
      });
    });
  }
}
