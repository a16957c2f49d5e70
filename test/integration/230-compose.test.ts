// husk compose, built in: so far `config`, the resolved model of the files
// (discovery, -f merging and stdin, interpolation from the environment and
// .env, profiles, the project name) and the one-line errors of bad files.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { lines, modes, newHusk } from '../helpers/husk.js';

const SEED = `services:
  web:
    image: busybox
    ports: ["\${WEB_PORT:-8080}:80"]
    environment:
      GREETING: \${GREETING}
    depends_on: [db]
  db:
    image: busybox
    volumes: [data:/var/lib/db]
  debug:
    image: busybox
    profiles: [debug]
volumes:
  data: {}
`;

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    const dir = path.join(h.dir, 'shop');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'compose.yaml'), SEED);
    fs.writeFileSync(path.join(dir, '.env'), 'GREETING=from-dotenv\n');
    fs.writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    environment:\n      EXTRA: "1"\n');
    if (h.user) for (const p of [dir, path.join(dir, 'sub'), ...['compose.yaml', '.env', 'compose.override.yaml'].map((f) => path.join(dir, f))]) fs.chownSync(p, h.uid, h.gid);
    const compose = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) => h.run(['compose', '--project-directory', path.join(dir, 'sub'), ...args], opts);

    t.test('config: found upwards, the override merged, .env and defaults interpolated', async (t) => {
      const r = await compose(['config']);
      t.equal(r.code, 0, r.stderr);
      t.match(r.stdout, /^name: shop$/m, 'the project is named after its directory');
      t.match(r.stdout, /GREETING: from-dotenv/);
      t.match(r.stdout, /EXTRA: "1"/, 'compose.override.yaml merged');
      t.match(r.stdout, /published: "8080"/, 'a default taken');
      t.match(r.stdout, /name: shop_default/, 'the default network');
      t.same(lines((await compose(['config', '--services'])).stdout).sort(), ['db', 'web'], 'a service of an inactive profile is left out');
      t.same(lines((await compose(['--profile', 'debug', 'config', '--services'])).stdout).sort(), ['db', 'debug', 'web']);
      t.same(lines((await compose(['config', '--volumes'])).stdout), ['data']);
      const env = await compose(['-p', 'other', 'config'], { env: { GREETING: 'from-env', WEB_PORT: '9090' } });
      t.match(env.stdout, /^name: other$/m, '-p');
      const invalid = await compose(['-p', 'Other', 'config']);
      t.equal(invalid.code, 125, 'a name given must be valid as it is');
      t.match(invalid.stderr, /^Error: invalid project name "Other": must consist only of lowercase/);
      t.match(env.stdout, /GREETING: from-env/, 'the environment before .env');
      t.match(env.stdout, /published: "9090"/);
      t.equal((await compose(['config', '-q'])).stdout, '', '-q prints nothing');
    });

    t.test('config -f -: a file from stdin', async (t) => {
      const r = await compose(['-f', '-', 'config', '--services'], { input: 'services:\n  only:\n    image: busybox\n' });
      t.equal(r.code, 0, r.stderr);
      t.equal(r.stdout, 'only\n');
    });

    t.test('bad files: one line naming the file, the service and the key; exit 125', async (t) => {
      for (const [text, message] of [
        ['services:\n  web:\n    image: 3\n', /^Error: -: services\.web\.image: must be string\n$/],
        ['services:\n  web:\n    image: busybox\n    ports: [true]\n', /^Error: -: services\.web\.ports\[0\]/],
        ['services:\n  web:\n    image: ${MISSING:?is needed}\n', /MISSING/],
        ['services: [\n', /^Error: -:/],
      ] as const) {
        const r = await compose(['-f', '-', 'config'], { input: text });
        t.equal(r.code, 125, text);
        t.equal(lines(r.stderr).length, 1, 'one line');
        t.match(r.stderr, message);
      }
    });
  });
}
