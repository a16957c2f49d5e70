import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { UsageError } from '../../lib/core/errors.js';
import { loadProject, renderConfig } from '../../lib/compose/index.js';

/** A temporary directory holding `files` (relative path -> text). */
function tree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'husk-compose-')));
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const SEED = `
services:
  web:
    image: nginx:\${TAG:-1.27}
    ports: ["8080:80"]
    depends_on: [db]
    networks: [back]
    environment:
      - DB_HOST=db
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
    networks: [back]
networks:
  back: {}
volumes:
  data: {}
`;

t.test('the seed example: a web service and its database', async (t) => {
  const dir = tree({ 'My App/compose.yaml': SEED });
  const p = loadProject({ workingDir: path.join(dir, 'My App'), env: {} });
  t.equal(p.name, 'myapp');
  t.equal(p.workingDir, path.join(dir, 'My App'));
  t.same(Object.keys(p.services).sort(), ['db', 'web']);
  t.equal(p.services.web!.image, 'nginx:1.27');
  t.same(p.services.web!.ports, [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
  t.same(p.services.web!.depends_on, { db: { condition: 'service_started', required: true } });
  t.same(p.services.web!.environment, { DB_HOST: 'db' });
  t.same(p.services.db!.volumes, [{ type: 'volume', source: 'data', target: '/var/lib/postgresql/data' }]);
  t.same(p.networks, { back: { name: 'myapp_back', external: false, driver_opts: {}, labels: {} } });
  t.same(p.volumes, { data: { name: 'myapp_data', external: false, driver_opts: {}, labels: {} } });
  t.same(p.warnings, []);
});

t.test('discovery upwards, override file, project name', async (t) => {
  const dir = tree({
    'compose.yml': 'services:\n  a:\n    image: a\n    command: echo base\n',
    'compose.override.yaml': 'services:\n  a:\n    command: ["echo", "over"]\n    labels: [x=1]\n',
    'sub/deeper/.keep': '',
  });
  const p = loadProject({ workingDir: path.join(dir, 'sub/deeper'), env: {} });
  t.same(p.files, [path.join(dir, 'compose.yml'), path.join(dir, 'compose.override.yaml')]);
  t.same(p.services.a!.command, ['echo', 'over']);
  t.same(p.services.a!.labels, { x: '1' });
  t.throws(() => loadProject({ workingDir: dir, env: {}, projectName: 'Foo.Bar' }), /invalid project name "Foo.Bar"/, 'a name given must be valid (the directory\'s is made so)');
  t.equal(loadProject({ workingDir: dir, env: { COMPOSE_PROJECT_NAME: 'env_name' } }).name, 'env_name');
  const named = tree({ 'docker-compose.yaml': 'name: top-name\nservices:\n  a:\n    image: a\n' });
  t.equal(loadProject({ workingDir: named, env: {} }).name, 'top-name');
  const badName = tree({ 'docker-compose.yaml': 'name: Top-Name\nservices:\n  a:\n    image: a\n' });
  t.throws(() => loadProject({ workingDir: badName, env: {} }), /invalid project name "Top-Name"/);
  const empty = tree({ 'x/.keep': '' });
  t.throws(() => loadProject({ workingDir: path.join(empty, 'x'), env: {} }), { message: /no configuration file provided/ });
});

t.test('-f files merged by the spec rules, and stdin', async (t) => {
  const dir = tree({
    'a.yaml': `services:
  web:
    image: web:1
    command: run a
    entrypoint: ["/a"]
    environment: [A=1, B=2]
    ports: ["80:80", "443:443"]
    volumes: ["./src:/src", "cache:/cache"]
    dns: 1.1.1.1
    cap_add: [NET_ADMIN]
volumes:
  cache: {}
`,
    'b.yaml': `services:
  web:
    image: web:2
    command: ["run", "b"]
    environment: {B: "3", C: "4"}
    ports: ["80:80", "8080:8080"]
    volumes: ["./other:/src:ro"]
    dns: [8.8.8.8]
    cap_add: [NET_ADMIN, SYS_TIME]
`,
  });
  const p = loadProject({ workingDir: dir, files: ['a.yaml', 'b.yaml'], env: {} });
  const w = p.services.web!;
  t.equal(w.image, 'web:2');
  t.same(w.command, ['run', 'b']);
  t.same(w.entrypoint, ['/a']);
  t.same(w.environment, { A: '1', B: '3', C: '4' });
  t.same(w.ports.map((x) => x.published), ['80', '443', '8080']);
  t.same(w.volumes, [
    { type: 'bind', source: path.join(dir, 'other'), target: '/src', read_only: true, bind: { create_host_path: true } },
    { type: 'volume', source: 'cache', target: '/cache' },
  ]);
  t.same(w.dns, ['1.1.1.1', '8.8.8.8']);
  t.same(w.cap_add, ['NET_ADMIN', 'SYS_TIME']);
  const s = loadProject({ workingDir: dir, files: ['-'], stdinText: 'services:\n  x:\n    image: from-stdin\n', env: {} });
  t.equal(s.services.x!.image, 'from-stdin');
  t.equal(s.workingDir, dir);
});

t.test('interpolation from the environment, .env and --env-file', async (t) => {
  const dir = tree({
    'compose.yaml': 'services:\n  a:\n    image: "${IMG}:${TAG}"\n    environment:\n      COST: "$$5"\n      KEY: ${KEY:?KEY must be set}\n      FROM_ENV:\n',
    '.env': 'IMG=dotenv-img\nTAG=1\nKEY="k"\nexport FROM_ENV=fe\n',
    'other.env': 'IMG=other\n',
    'third.env': 'TAG=3\n',
  });
  const p = loadProject({ workingDir: dir, env: { TAG: 'env-wins' } });
  t.equal(p.services.a!.image, 'dotenv-img:env-wins');
  t.same(p.services.a!.environment, { COST: '$5', KEY: 'k', FROM_ENV: 'fe' });
  t.throws(() => loadProject({ workingDir: dir, envFiles: ['other.env', 'third.env'], env: {} }), { message: 'compose.yaml: services.a.environment.KEY: required variable KEY is missing a value: KEY must be set' });
  const q = loadProject({ workingDir: dir, envFiles: ['other.env', 'third.env'], env: { KEY: 'x' } });
  t.equal(q.services.a!.image, 'other:3');
  t.throws(() => loadProject({ workingDir: dir, envFiles: ['nope.env'], env: {} }), { message: /nope.env: cannot read the env file/ });
  const unset = tree({ 'compose.yaml': 'services:\n  a:\n    image: a${NOT_SET}\n' });
  t.same(loadProject({ workingDir: unset, env: {} }).warnings, ['The "NOT_SET" variable is not set. Defaulting to a blank string.']);
});

t.test('env_file read under environment, relative to the project', async (t) => {
  const dir = tree({
    'compose.yaml': 'services:\n  a:\n    image: a\n    env_file: [conf/a.env, {path: missing.env, required: false}]\n    environment: {OVER: mine}\n',
    'conf/a.env': 'FROM_FILE=1\nOVER=theirs\n',
  });
  const p = loadProject({ workingDir: dir, env: {} });
  t.same(p.services.a!.environment, { FROM_FILE: '1', OVER: 'mine' });
  t.same(p.services.a!.env_file, [
    { path: path.join(dir, 'conf/a.env'), required: true },
    { path: path.join(dir, 'missing.env'), required: false },
  ]);
});

t.test('extends in the same file and across files', async (t) => {
  const dir = tree({
    'compose.yaml': `services:
  base:
    image: base
    environment: {A: "1"}
  child:
    extends: base
    environment: {B: "2"}
  remote:
    extends:
      file: common/common.yaml
      service: shared
    command: echo mine
`,
    'common/common.yaml': 'services:\n  shared:\n    image: shared\n    build: ./ctx\n    command: echo shared\n    env_file: shared.env\n',
    'common/shared.env': 'S=1\n',
  });
  const p = loadProject({ workingDir: dir, env: {} });
  t.equal(p.services.child!.image, 'base');
  t.same(p.services.child!.environment, { A: '1', B: '2' });
  t.equal(p.services.remote!.image, 'shared');
  t.equal(p.services.remote!.build!.context, path.join(dir, 'common/ctx'));
  t.same(p.services.remote!.command, ['echo', 'mine']);
  t.same(p.services.remote!.environment, { S: '1' });
  const bad = tree({ 'compose.yaml': 'services:\n  a:\n    extends: nope\n' });
  t.throws(() => loadProject({ workingDir: bad, env: {} }), { message: 'compose.yaml: services.a.extends: no service "nope" in compose.yaml' });
});

t.test('include: paths relative to the included file', async (t) => {
  const dir = tree({
    'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: web\n    depends_on: [db]\n',
    'db/compose.yaml': 'services:\n  db:\n    image: ${DB_IMAGE}\n    volumes: ["./init:/docker-entrypoint-initdb.d"]\n',
    'db/.env': 'DB_IMAGE=postgres\n',
  });
  const p = loadProject({ workingDir: dir, env: {} });
  t.equal(p.services.db!.image, 'postgres');
  t.equal(p.services.db!.volumes[0]!.source, path.join(dir, 'db/init'));
  const clash = tree({
    'compose.yaml': 'include: [other.yaml]\nservices:\n  db:\n    image: mine\n',
    'other.yaml': 'services:\n  db:\n    image: theirs\n',
  });
  t.throws(() => loadProject({ workingDir: clash, env: {} }), { message: /services\.db is defined both here and in the included project/ });
});

t.test('profiles', async (t) => {
  const dir = tree({
    'compose.yaml': `services:
  app: {image: app, depends_on: [helper]}
  helper: {image: helper, profiles: [tools]}
  debug: {image: debug, profiles: [debug]}
  extra: {image: extra, profiles: [extra]}
`,
  });
  const p = loadProject({ workingDir: dir, env: {} });
  t.same(Object.keys(p.services).sort(), ['app', 'helper'], 'depends_on pulls its target in');
  t.same(p.disabled.sort(), ['debug', 'extra']);
  t.same(Object.keys(loadProject({ workingDir: dir, profiles: ['debug'], env: {} }).services).sort(), ['app', 'debug', 'helper']);
  t.same(Object.keys(loadProject({ workingDir: dir, env: { COMPOSE_PROFILES: 'debug,extra' } }).services).sort(), ['app', 'debug', 'extra', 'helper']);
});

t.test('anchors, merge keys and x- extensions', async (t) => {
  const dir = tree({
    'compose.yaml': `x-common: &common
  restart: always
  labels: {team: a}
services:
  a:
    <<: *common
    image: a
    x-note: hello
  b:
    <<: *common
    image: b
    restart: "no"
`,
  });
  const p = loadProject({ workingDir: dir, env: {} });
  t.equal(p.services.a!.restart, 'always');
  t.same(p.services.a!.labels, { team: 'a' });
  t.same(p.services.a!.extensions, { 'x-note': 'hello' });
  t.equal(p.services.b!.restart, 'no');
  t.same(p.extensions, { 'x-common': { restart: 'always', labels: { team: 'a' } } });
});

t.test('validation errors name the file, the service and the key', async (t) => {
  const cases: Array<[string, string | RegExp]> = [
    ['services:\n  web:\n    image: a\n    ports: [[1]]\n', 'compose.yaml: services.web.ports[0]: must be number or string or object'],
    ['services:\n  web:\n    image: a\n    bogus: 1\n', "compose.yaml: services.web: additional property 'bogus' is not allowed"],
    ['services:\n  web:\n    image: a\n    healthcheck: {interval: [1]}\n', 'compose.yaml: services.web.healthcheck.interval: must be string'],
    ['services:\n  web:\n    image: [a]\n', 'compose.yaml: services.web.image: must be string'],
    ['services:\n  web:\n    image: a\n    depends_on: {db: {condition: sometimes}}\n  db: {image: b}\n', /compose.yaml: services.web.depends_on.db.condition: must be one of/],
    ['services: [a]\n', 'compose.yaml: services: must be object'],
    ['services:\n  web:\n    image: a\n   bad: indent\n', /^compose.yaml: line 4/],
    ['services:\n  web:\n    image: a\n    networks: [nope]\n', 'service "web" refers to undefined network nope'],
    ['services:\n  web:\n    image: a\n    volumes: ["data:/d"]\n', 'service "web" refers to undefined volume data'],
    ['services:\n  web:\n    image: a\n    ports: ["80:80:80:80"]\n', /service web: ports\[0\]: invalid port "80:80:80:80"/],
  ];
  for (const [text, want] of cases) {
    const dir = tree({ 'compose.yaml': text });
    try {
      loadProject({ workingDir: dir, env: {} });
      t.fail(`no error for ${text}`);
    } catch (err) {
      t.ok(err instanceof UsageError, 'a UsageError (exit 125)');
      if (typeof want === 'string') t.equal((err as Error).message, want);
      else t.match((err as Error).message, want);
      t.notOk((err as Error).message.includes('\n'), 'one line');
    }
  }
});

t.test('unsupported keys are warned about, not dropped', async (t) => {
  const dir = tree({ 'compose.yaml': 'services:\n  web:\n    image: a\n    blkio_config: {weight: 300}\n' });
  const p = loadProject({ workingDir: dir, env: {} });
  t.same(p.warnings, ["service web: key 'blkio_config' is not supported by husk and is ignored"]);
  t.same(p.services.web!.ignored, { blkio_config: { weight: 300 } });
  const gpu = loadProject({ workingDir: tree({ 'compose.yaml': 'services:\n  a:\n    image: x\n    deploy:\n      placement: {constraints: [a]}\n      resources:\n        reservations:\n          memory: 1m\n          devices: [{capabilities: [gpu]}]\n' }), env: {} });
  t.same(gpu.warnings, ["service a: key 'deploy.placement' is not supported by husk and is ignored", "service a: key 'deploy.resources.reservations.devices' is not supported by husk and is ignored"], 'swarm keys and device reservations named');
});

t.test('ports and volumes, short and long syntax', async (t) => {
  const dir = tree({
    'compose.yaml': `services:
  a:
    image: a
    ports:
      - 3000
      - "127.0.0.1:8080:80/udp"
      - "[::1]:9000:9000"
      - "8000-8001:80-81"
      - "9090-9099:90"
      - target: 443
        published: "8443"
        host_ip: 0.0.0.0
        protocol: tcp
        mode: host
    volumes:
      - /anon
      - /abs:/in:ro
      - ./rel:/rel:z
      - ~/h:/h
      - type: bind
        source: ./long
        target: /long
        read_only: true
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m}
      - type: volume
        source: named
        target: /named
        volume: {nocopy: true}
volumes:
  named:
    external: true
`,
  });
  const p = loadProject({ workingDir: dir, env: { HOME: '/home/u' } });
  t.same(p.services.a!.ports, [
    { mode: 'ingress', target: 3000, protocol: 'tcp' },
    { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'udp' },
    { mode: 'ingress', host_ip: '::1', target: 9000, published: '9000', protocol: 'tcp' },
    { mode: 'ingress', target: 80, published: '8000', protocol: 'tcp' },
    { mode: 'ingress', target: 81, published: '8001', protocol: 'tcp' },
    { mode: 'ingress', target: 90, published: '9090-9099', protocol: 'tcp' },
    { mode: 'host', target: 443, protocol: 'tcp', host_ip: '0.0.0.0', published: '8443' },
  ]);
  t.same(p.services.a!.volumes, [
    { type: 'volume', target: '/anon' },
    { type: 'bind', source: '/abs', target: '/in', read_only: true, bind: { create_host_path: true } },
    { type: 'bind', source: path.join(dir, 'rel'), target: '/rel', bind: { selinux: 'z', create_host_path: true } },
    { type: 'bind', source: '/home/u/h', target: '/h', bind: { create_host_path: true } },
    { type: 'bind', source: path.join(dir, 'long'), target: '/long', read_only: true },
    { type: 'tmpfs', target: '/tmp', tmpfs: { size: 64 * 1024 * 1024 } },
    { type: 'volume', source: 'named', target: '/named', volume: { nocopy: true } },
  ]);
  t.same(p.volumes.named, { name: 'named', external: true, driver_opts: {}, labels: {} });
});

t.test('the rest of a service normalised', async (t) => {
  const dir = tree({
    'compose.yaml': `services:
  a:
    build:
      context: ./app
      args: [V=1]
      cache_from: [x]
    entrypoint: /bin/sh -c 'echo "hi there"'
    healthcheck:
      test: curl -f http://localhost
      interval: 1m30s
      timeout: 500ms
      retries: 3
    deploy:
      replicas: 2
      resources: {limits: {cpus: "0.5", memory: 512M}}
    stop_grace_period: 10s
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
    extra_hosts: ["db:10.0.0.2"]
    secrets: [s]
    networks:
      front:
        aliases: [www]
        ipv4_address: 172.20.0.5
    depends_on:
      b: {condition: service_healthy, restart: true}
  b: {image: b}
networks:
  front: {name: shared-front}
secrets:
  s: {file: ./s.txt}
`,
  });
  const a = loadProject({ workingDir: dir, env: {} }).services.a!;
  t.same(a.build, { context: path.join(dir, 'app'), args: { V: '1' }, labels: {}, secrets: [], cache_from: ['x'], cache_to: [], tags: [], platforms: [], extra_hosts: [], additional_contexts: {} });
  t.same(a.entrypoint, ['/bin/sh', '-c', 'echo "hi there"']);
  t.same(a.healthcheck, { test: ['CMD-SHELL', 'curl -f http://localhost'], interval: 90_000, timeout: 500, retries: 3 });
  t.same(a.deploy, { replicas: 2, resources: { limits: { cpus: 0.5, memory: 512 * 1024 * 1024 } } });
  t.equal(a.stop_grace_period, 10_000);
  t.same(a.ulimits, { nofile: { soft: 1024, hard: 2048 }, nproc: { single: 512 } });
  t.same(a.extra_hosts, ['db=10.0.0.2']);
  t.same(a.secrets, [{ source: 's' }]);
  t.same(a.networks, { front: { aliases: ['www'], ipv4_address: '172.20.0.5' } });
  t.same(a.depends_on, { b: { condition: 'service_healthy', required: true, restart: true } });
});

t.test('renderConfig', async (t) => {
  const dir = tree({
    'compose.yaml': `services:
  web:
    image: nginx
    ports: ["8080:80"]
    command: nginx -g "daemon off;"
    environment: [B=2, A=1]
    depends_on: [db]
    healthcheck: {test: [CMD, "true"], interval: 90s}
  db:
    image: postgres
    volumes: [data:/var/lib/postgresql/data]
volumes:
  data: {}
`,
  });
  const p = loadProject({ workingDir: dir, projectName: 'demo', env: {} });
  t.equal(
    renderConfig(p),
    `name: demo
services:
  db:
    image: postgres
    networks:
      default: null
    volumes:
      - source: data
        target: /var/lib/postgresql/data
        type: volume
  web:
    command:
      - nginx
      - -g
      - daemon off;
    depends_on:
      db:
        condition: service_started
        required: true
    environment:
      A: "1"
      B: "2"
    healthcheck:
      interval: 1m30s
      test:
        - CMD
        - "true"
    image: nginx
    networks:
      default: null
    ports:
      - mode: ingress
        protocol: tcp
        published: "8080"
        target: 80
networks:
  default:
    external: false
    name: demo_default
volumes:
  data:
    external: false
    name: demo_data
`,
  );
});
