// Every compose file of docker/awesome-compose (test/fixtures/compose-examples/
// awesome-compose, see the README there) and a dozen of husk's own in that
// style (…/husk, for what the collection does not use) loaded, rendered as
// `husk compose config` prints them, and the rendering loaded again: it must
// load without error and render to the very same text, and give the same
// project. The own examples also have what they show checked, so that a
// loader that reads them wrongly, yet stably, still fails here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Test } from 'tap';
import { UsageError } from '../../lib/core/errors.js';
import { loadProject, renderConfig, servicesInOrder, type LoadOptions, type Project } from '../../lib/compose/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/compose-examples');
const AWESOME = path.join(ROOT, 'awesome-compose');
const OWN = path.join(ROOT, 'husk');
const HOME = '/home/u';
const MiB = 1024 * 1024;

/** What a rendering must reproduce: the project, less the files it came from and the services profiles left out (a rendering has only the active ones). */
const essence = (p: Project) => ({ ...p, files: [], disabled: [] });

/**
 * Loads with `opts` (HOME always set), renders, loads the rendering from
 * stdin in the same directory under the same name, profiles and
 * environment, and renders again: no error, the same text, the same project.
 */
function roundTrip(t: Test, opts: Partial<LoadOptions> & { workingDir: string }): { project: Project; text: string } {
  const full: LoadOptions = { ...opts, env: { HOME, ...opts.env } };
  const project = loadProject(full);
  const text = renderConfig(project);
  let again: Project | undefined;
  t.doesNotThrow(() => {
    again = loadProject({ ...full, files: ['-'], stdinText: text, projectName: project.name });
  }, 'the rendering loads again');
  if (again) {
    t.equal(renderConfig(again), text, 'and renders to the same text');
    t.strictSame(essence(again), essence(project), 'and is the same project');
  }
  return { project, text };
}

function loadError(opts: Partial<LoadOptions> & { workingDir: string }): Error | undefined {
  try {
    loadProject({ ...opts, env: { HOME, ...opts.env } });
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

// --- docker/awesome-compose ---------------------------------------------------

const COMPOSE_FILE = /^(compose|docker-compose)\.ya?ml$/;

/**
 * Examples of the collection husk cannot load, each with why and the exact
 * error. None so far: every example ships the .env its variables come from,
 * and no loader check needs a file the collection has left out here (secret
 * files are paths, not read when loading).
 */
const CANNOT_LOAD: Record<string, { why: string; error: string }> = {};

/** The warnings an example of the collection gives; none for any other. */
const WARNINGS: Record<string, string[]> = {
  'wasmedge-kafka-mysql': ["service etl: key 'runtime' is not supported by husk and is ignored"],
  'wasmedge-mysql-nginx': ["service backend: key 'runtime' is not supported by husk and is ignored"],
};

const examples = fs.readdirSync(AWESOME).sort();

t.test('the awesome-compose fixtures: 39 examples, one compose file each', async (t) => {
  t.equal(examples.length, 39);
  for (const name of examples) t.equal(fs.readdirSync(path.join(AWESOME, name)).filter((f) => COMPOSE_FILE.test(f)).length, 1, name);
  for (const name of [...Object.keys(CANNOT_LOAD), ...Object.keys(WARNINGS)]) t.ok(examples.includes(name), `${name} is an example`);
});

for (const name of examples) {
  t.test(`awesome-compose/${name}`, async (t) => {
    const dir = path.join(AWESOME, name);
    const excluded = CANNOT_LOAD[name];
    if (excluded) {
      const err = loadError({ workingDir: dir });
      t.ok(err instanceof UsageError, `cannot load: ${excluded.why}`);
      t.equal(err?.message, excluded.error);
      return;
    }
    // Found as `husk compose config` finds it: the project directory is where it runs.
    const { project } = roundTrip(t, { workingDir: dir });
    t.same(
      project.files,
      fs.readdirSync(dir).filter((f) => COMPOSE_FILE.test(f)).map((f) => path.join(dir, f)),
    );
    t.same(project.warnings, WARNINGS[name] ?? [], 'no unset variable, nothing else ignored');
    t.ok(Object.keys(project.services).length > 0, 'services');
  });
}

t.test('awesome-compose: values from the .env files beside the compose files, and $$', async (t) => {
  const load = (name: string) => roundTrip(t, { workingDir: path.join(AWESOME, name) });
  const pihole = load('pihole-cloudflared-DoH').project;
  t.equal(pihole.name, 'pihole-cloudflared-doh');
  t.equal(pihole.services.pihole!.environment.REV_SERVER_CIDR, '192.168.178.0/24');
  t.equal(pihole.services.pihole!.environment.ServerIPv6, '');
  t.same(pihole.services.cloudflared!.networks, { 'dns-net': { ipv4_address: '172.20.0.2' } });
  t.equal(load('wireguard').project.services.wireguard!.environment.SERVERURL, 'your-domain.dyndns.com', 'a comment after a value is no part of it');
  t.equal(load('plex').project.services.plex!.volumes.find((v) => v.target === '/media/')?.source, '/media/your/plex/path');
  t.equal(load('postgresql-pgadmin').project.services.postgres!.environment.POSTGRES_USER, 'yourUser');
  const { project, text } = load('nginx-aspnet-mysql');
  t.same(project.services.db!.healthcheck!.test, ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --password="$(cat /run/secrets/db-password)" --silent']);
  t.match(text, '--password="$$(cat /run/secrets/db-password)"', 'printed back escaped');
  t.equal(project.secrets['db-password']!.file, path.join(AWESOME, 'nginx-aspnet-mysql/db/password.txt'));
});

// --- husk's own ----------------------------------------------------------------

t.test('the own examples: all of them checked below', async (t) => {
  t.same(fs.readdirSync(OWN).sort(), ['anchors', 'deploy', 'extends', 'healthchecks', 'image-build', 'include', 'interpolation', 'multi-file', 'networks', 'ports-volumes', 'profiles', 'secrets-configs']);
});

t.test('own: multi-file, with the override file beside it', async (t) => {
  const dir = path.join(OWN, 'multi-file');
  const { project: p } = roundTrip(t, { workingDir: dir });
  t.equal(p.name, 'shop');
  t.same(p.files, [path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yaml')]);
  const web = p.services.web!;
  t.equal(web.image, 'shop/web:latest');
  t.same(web.command, ['npm', 'run', 'dev', '--', '--host', '0.0.0.0'], 'a string command splits into words and replaces the list');
  t.same(web.ports.map((x) => `${x.published}:${x.target}`), ['8080:3000', '9229:9229'], 'ports appended');
  t.same(web.environment, { NODE_ENV: 'development', API_URL: 'http://api:5000', DEBUG: 'shop:*' });
  t.same(p.services.api!.environment, { DATABASE_URL: 'postgres://shop@db/shop', LOG_LEVEL: 'debug' }, 'a list entry overrides a list entry');
  t.same(p.services.api!.depends_on, { db: { condition: 'service_healthy', required: true } });
  t.same(p.warnings, []);
});

t.test('own: multi-file, production with -f', async (t) => {
  const dir = path.join(OWN, 'multi-file');
  const files = ['compose.yaml', 'compose.prod.yaml'];
  t.equal(loadError({ workingDir: dir, files })?.message, 'compose.prod.yaml: services.web.image: required variable WEB_TAG is missing a value: set WEB_TAG to the release');
  const { project: p } = roundTrip(t, { workingDir: dir, files, env: { WEB_TAG: '2.4.1' } });
  t.same(p.files, files.map((f) => path.join(dir, f)));
  const web = p.services.web!;
  t.equal(web.image, 'registry.example.com/shop/web:2.4.1');
  t.same(web.command, ['npm', 'start']);
  t.same(web.environment, { NODE_ENV: 'production', API_URL: 'http://api:5000' });
  t.same(web.volumes, [
    { type: 'bind', source: path.join(dir, 'web/dist'), target: '/app/src', read_only: true, bind: { create_host_path: true } },
    { type: 'volume', source: 'web-cache', target: '/app/.cache' },
  ], 'the volume of the same target replaced in place');
  t.equal(web.restart, 'always');
  t.same(web.deploy, { replicas: 2 });
  t.equal(p.services.api!.image, 'registry.example.com/shop/api:2.4.1');
  t.same(p.services.api!.labels, { 'com.example.tier': 'back' });
  t.same(p.services.db!.volumes, [{ type: 'bind', source: '/srv/shop/db', target: '/var/lib/postgresql/data', bind: { create_host_path: true } }]);
});

t.test('own: extends, in the same file and from another one', async (t) => {
  const dir = path.join(OWN, 'extends');
  const { project: p } = roundTrip(t, { workingDir: dir });
  t.same(Object.keys(p.services).sort(), ['app', 'base', 'monitor', 'redis', 'worker']);
  const worker = p.services.worker!;
  t.equal(worker.image, 'example/python-app:3.12', 'through app from base');
  t.same(worker.command, ['celery', '-A', 'app', 'worker', '--loglevel=info']);
  t.same(worker.environment, { PYTHONUNBUFFERED: '1', APP_ENV: 'web' });
  t.same(worker.labels, { 'com.example.role': 'worker' });
  t.equal(worker.restart, 'unless-stopped');
  t.same(worker.expose, ['8000']);
  t.same(Object.keys(worker.depends_on), ['redis']);
  t.same(p.services.app!.labels, { 'com.example.role': 'base' });
  t.same(p.services.redis!.volumes, [
    { type: 'bind', source: path.join(dir, 'common/redis.conf'), target: '/usr/local/etc/redis/redis.conf', read_only: true, bind: { create_host_path: true } },
    { type: 'volume', source: 'redis-data', target: '/data' },
  ], "the other file's relative path against that file's directory");
  const monitor = p.services.monitor!;
  t.equal(monitor.image, 'example/probe:1.0', 'a chain inside the other file');
  t.equal(monitor.build!.context, path.join(dir, 'common/monitor'));
  t.same(monitor.env_file, [{ path: path.join(dir, 'common/probe.env'), required: true }]);
  t.same(monitor.environment, { PROBE_INTERVAL: '15', PROBE_TIMEOUT: '5', TARGET: 'redis:6379' });
  t.equal(monitor.healthcheck!.interval, 60_000);
  t.equal(monitor.restart, 'on-failure');
});

t.test('own: include', async (t) => {
  const dir = path.join(OWN, 'include');
  const { project: p } = roundTrip(t, { workingDir: dir });
  t.same(Object.keys(p.services).sort(), ['app', 'cache', 'db']);
  const db = p.services.db!;
  t.equal(db.image, 'mariadb:11.4', "from the included file's own .env");
  t.equal(db.environment.MARIADB_DATABASE, 'app');
  t.equal(db.volumes[1]!.source, path.join(dir, 'db/initdb'));
  t.same(p.secrets['db-root-password'], { name: 'include_db-root-password', external: false, file: path.join(dir, 'db/root-password.txt'), labels: {} });
  t.equal(p.volumes['db-data']!.name, 'include_db-data');
  const cache = p.services.cache!;
  t.equal(cache.image, 'valkey/valkey:8.0', 'from the env file the include names');
  t.same(cache.command, ['valkey-server', '/etc/valkey/valkey.conf', '--maxmemory', '64mb']);
  t.equal(cache.volumes[0]!.source, path.join(dir, 'config/valkey.conf'), 'against the project directory the include gives');
  t.same(p.warnings, []);
});

t.test('own: profiles', async (t) => {
  const dir = path.join(OWN, 'profiles');
  const none = roundTrip(t, { workingDir: dir }).project;
  t.same(Object.keys(none.services).sort(), ['app', 'db']);
  t.same(none.disabled.sort(), ['adminer', 'frontend-dev', 'mailpit', 'migrate']);
  const debug = roundTrip(t, { workingDir: dir, profiles: ['debug'] }).project;
  t.same(Object.keys(debug.services).sort(), ['adminer', 'app', 'db']);
  t.same(debug.services.adminer!.profiles, ['debug', 'tools']);
  const env = roundTrip(t, { workingDir: dir, env: { COMPOSE_PROFILES: 'dev,tools' } }).project;
  t.same(Object.keys(env.services).sort(), ['adminer', 'app', 'db', 'frontend-dev', 'mailpit', 'migrate']);
  t.equal(env.services['frontend-dev']!.volumes[0]!.source, path.join(dir, 'frontend'));
});

t.test('own: anchors, merge keys and x- extensions', async (t) => {
  const { project: p } = roundTrip(t, { workingDir: path.join(OWN, 'anchors') });
  const logging = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };
  const api = p.services.api!;
  t.equal(api.restart, 'unless-stopped');
  t.same(api.logging, logging);
  t.same(api.networks, { backend: {} });
  t.same(api.environment, { TZ: 'Europe/Berlin', LANG: 'C.UTF-8', PORT: '8080' });
  t.same(api.healthcheck, { test: ['CMD', 'wget', '-qO-', 'http://localhost:8080/health'], interval: 30_000, timeout: 5_000, retries: 3, start_period: 20_000 });
  t.same(api.dns, ['9.9.9.9', '149.112.112.112']);
  t.same(api.extensions, { 'x-team': 'payments' });
  const worker = p.services.worker!;
  t.equal(worker.restart, 'unless-stopped', 'of several merged maps the first listed wins');
  t.equal(worker.init, true);
  t.equal(worker.stop_grace_period, 120_000);
  t.same(worker.logging, logging);
  t.same(worker.environment, { TZ: 'Europe/Berlin', LANG: 'C.UTF-8' });
  t.equal(p.services.reports!.restart, 'on-failure', 'the other way round');
  t.same(p.services.proxy!.networks, { frontend: {}, backend: {} }, 'an own key over a merged one');
  t.same(Object.keys(p.extensions).sort(), ['x-batch', 'x-common-env', 'x-dns', 'x-healthcheck', 'x-logging', 'x-restart', 'x-service']);
  t.same(p.extensions['x-service'], { restart: 'unless-stopped', logging, networks: ['backend'] });
});

t.test('own: interpolation', async (t) => {
  const dir = path.join(OWN, 'interpolation');
  const env = { SERVER_NAME: 'shop.example.com', WEB_PORT: '80', REGISTRY: 'ghcr.io' };
  const { project: p, text } = roundTrip(t, { workingDir: dir, env });
  const web = p.services.web!;
  t.equal(web.image, 'ghcr.io/library/nginx:1.27.3-alpine', 'the environment over .env, .env over a default');
  t.equal(web.ports[0]!.published, '80');
  t.same(web.environment, {
    SERVER_NAME: 'shop.example.com',
    EMPTY_DASH: '',
    EMPTY_COLON_DASH: 'fallback',
    DEBUG_FLAG: '--debug',
    NO_TRACE_FLAG: '',
    NESTED: 'shop.example.com',
    UNBRACED: '1.27.3',
    QUOTED: 'a "quoted" value',
    SINGLE_QUOTED: '${NOT_EXPANDED} as written',
    LITERAL: '$HOME and ${NOT_A_VAR}',
    PRICE: '$5',
  });
  t.same(web.command, ['sh', '-c', "echo $HOSTNAME serves ${SERVER_NAME}; exec nginx -g 'daemon off;'"]);
  t.same(web.labels, { 'com.example.release': '' });
  t.same(p.warnings, []);
  t.match(text, 'LITERAL: $$HOME and $${NOT_A_VAR}\n', 'a literal $ printed as $$, as docker compose config prints it');
  t.match(text, 'SINGLE_QUOTED: $${NOT_EXPANDED} as written\n');
  t.equal(
    loadError({ workingDir: dir, env: { ...env, SERVER_NAME: '' } })?.message,
    'compose.yaml: services.web.environment.SERVER_NAME: required variable SERVER_NAME is missing a value: SERVER_NAME must name the site',
    ':? wants a value that is not empty',
  );
  t.equal(
    loadError({ workingDir: dir, env, envFiles: [] })?.message,
    'compose.yaml: services.web.labels.com.example.release: required variable RELEASE is missing a value: RELEASE must be set, even empty',
    '? wants the variable set (.env sets it empty)',
  );
});

t.test('own: ports and volumes, long syntax', async (t) => {
  const dir = path.join(OWN, 'ports-volumes');
  const { project: p } = roundTrip(t, { workingDir: dir });
  const gw = p.services.gateway!;
  t.same(gw.ports, [
    { mode: 'host', target: 80, protocol: 'tcp', name: 'http', published: '80', app_protocol: 'http' },
    { mode: 'ingress', target: 443, protocol: 'tcp', name: 'https', host_ip: '127.0.0.1', published: '8443' },
    { mode: 'ingress', target: 53, protocol: 'udp', published: '5353' },
    { mode: 'ingress', host_ip: '127.0.0.1', target: 9000, published: '9000', protocol: 'tcp' },
    { mode: 'ingress', host_ip: '127.0.0.1', target: 9001, published: '9001', protocol: 'tcp' },
    { mode: 'ingress', host_ip: '::1', target: 8080, published: '8082', protocol: 'tcp' },
    { mode: 'ingress', target: 8443, protocol: 'tcp' },
  ]);
  t.same(gw.volumes, [
    { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: true },
    { type: 'bind', source: path.join(dir, 'traefik'), target: '/etc/traefik', bind: { create_host_path: false, propagation: 'rprivate' } },
    { type: 'volume', source: 'certs', target: '/certs', volume: { nocopy: true, subpath: 'traefik' } },
    { type: 'tmpfs', target: '/tmp', tmpfs: { size: 64 * MiB, mode: 0o1777 } },
    { type: 'volume', target: '/var/cache/traefik' },
    { type: 'bind', source: path.join(dir, 'logs'), target: '/var/log/traefik', bind: { selinux: 'z', create_host_path: true } },
    { type: 'volume', source: 'certs-backup', target: '/backup', read_only: true, volume: { nocopy: true } },
    { type: 'bind', source: `${HOME}/.config/traefik`, target: '/config', read_only: true, bind: { create_host_path: true } },
  ]);
  t.same(p.volumes, {
    certs: { name: 'ports-volumes_certs', external: false, driver: 'local', driver_opts: { type: 'none', o: 'bind', device: '/srv/certs' }, labels: { 'com.example.backup': 'daily' } },
    'certs-backup': { name: 'backups', external: true, driver_opts: {}, labels: {} },
  });
});

t.test('own: secrets and configs', async (t) => {
  const dir = path.join(OWN, 'secrets-configs');
  const { project: p } = roundTrip(t, { workingDir: dir });
  const web = p.services.web!;
  t.same(web.configs, [{ source: 'nginx-conf', target: '/etc/nginx/conf.d/default.conf', uid: '101', gid: '101', mode: 0o440 }, { source: 'site-banner' }], 'mode: 0440 is octal');
  t.same(web.secrets, [{ source: 'tls-key', target: '/run/secrets/site.key', mode: 0o400 }, { source: 'tls-cert' }]);
  const app = p.services.app!;
  t.same(app.secrets, [{ source: 'db-password' }, { source: 'api-token', target: 'api_token', uid: '1000', gid: '1000', mode: 0o440 }]);
  t.same(app.configs, [{ source: 'app-settings', target: '/app/settings.json', mode: 0o444 }]);
  t.same(p.secrets, {
    'tls-key': { name: 'secrets-configs_tls-key', external: false, file: path.join(dir, 'certs/site.key'), labels: {} },
    'tls-cert': { name: 'secrets-configs_tls-cert', external: false, file: path.join(dir, 'certs/site.crt'), labels: {} },
    'db-password': { name: 'secrets-configs_db-password', external: false, environment: 'DB_PASSWORD', labels: {} },
    'api-token': { name: 'shop-api-token', external: true, labels: {} },
  });
  t.equal(p.configs['site-banner']!.content, 'Welcome to the shop\n');
  t.equal(p.configs['app-settings']!.content, '{"feature_flags": {"beta": true}}');
  t.equal(p.configs['nginx-conf']!.file, path.join(dir, 'nginx/default.conf'));
});

t.test('own: healthchecks and depends_on conditions', async (t) => {
  const { project: p } = roundTrip(t, { workingDir: path.join(OWN, 'healthchecks') });
  t.same(p.services.db!.healthcheck, { test: ['CMD-SHELL', 'pg_isready -U postgres -d postgres'], interval: 5_000, timeout: 3_000, retries: 10, start_period: 30_000, start_interval: 1_000 });
  t.same(p.services.queue!.healthcheck, { test: ['CMD-SHELL', 'rabbitmq-diagnostics -q ping'], interval: 90_000, timeout: 10_000 });
  t.same(p.services.app!.depends_on, {
    db: { condition: 'service_healthy', required: true, restart: true },
    queue: { condition: 'service_healthy', required: true },
    migrate: { condition: 'service_completed_successfully', required: true },
    metrics: { condition: 'service_started', required: false },
  });
  t.same(p.services.worker!.healthcheck, { disable: true, test: ['NONE'] });
  t.same(Object.keys(p.services.worker!.depends_on), ['queue', 'app']);
  t.same(servicesInOrder(p).map((s) => s.name), ['db', 'queue', 'migrate', 'app', 'worker']);
});

t.test('own: deploy resources, in a docker-compose.yml with a version line', async (t) => {
  const dir = path.join(OWN, 'deploy');
  const { project: p } = roundTrip(t, { workingDir: dir });
  t.same(p.files, [path.join(dir, 'docker-compose.yml')]);
  t.same(p.services.api!.deploy, {
    mode: 'replicated',
    replicas: 3,
    resources: { limits: { cpus: 1.5, memory: 512 * MiB, pids: 200 }, reservations: { cpus: 0.25, memory: 128 * MiB } },
    restart_policy: { condition: 'on-failure', delay: 5_000, max_attempts: 3, window: 120_000 },
    labels: { 'com.example.description': 'API replicas' },
  });
  const search = p.services.search!;
  t.same(search.deploy, { resources: { limits: { memory: 2048 * MiB } } });
  t.same(search.ulimits, { memlock: { soft: -1, hard: -1 }, nofile: { single: 65536 } });
  t.equal(search.stop_grace_period, 90_000);
  t.same(search.environment, { 'discovery.type': 'single-node', ES_JAVA_OPTS: '-Xms1g -Xmx1g' });
  t.equal(p.services.batch!.scale, 2);
  t.same(p.services.batch!.deploy!.resources, { limits: { cpus: 0.5, memory: 1536 * MiB } });
  t.same(p.warnings, []);
});

t.test('own: image builds', async (t) => {
  const dir = path.join(OWN, 'image-build');
  const { project: p } = roundTrip(t, { workingDir: dir, env: { GIT_COMMIT: 'abc1234' } });
  t.equal(p.services.app!.image, 'registry.example.com/shop/app:dev');
  t.same(p.services.app!.build, {
    context: path.join(dir, 'app'),
    dockerfile: 'docker/Dockerfile',
    target: 'runtime',
    args: { NODE_VERSION: '22', BUILD_DATE: 'unknown', GIT_COMMIT: 'abc1234' },
    labels: { 'org.opencontainers.image.source': 'https://example.com/shop' },
    secrets: [{ source: 'npm-token' }, { source: 'sentry-auth', target: 'sentry' }],
    cache_from: ['type=registry,ref=registry.example.com/shop/app:cache'],
    cache_to: ['type=inline'],
    tags: ['registry.example.com/shop/app:latest'],
    platforms: ['linux/amd64', 'linux/arm64'],
    extra_hosts: ['mirror.internal=10.0.0.10'],
    additional_contexts: { assets: 'docker-image://example/shop-assets:1.0' },
    shm_size: 256 * MiB,
    network: 'host',
    pull: true,
  });
  t.equal(p.services.docs!.build!.context, path.join(dir, 'docs'));
  const tools = p.services.tools!.build!;
  t.equal(tools.context, dir, 'no context: the project directory');
  t.equal(tools.dockerfile_inline, 'FROM alpine:3.20\nRUN apk add --no-cache curl jq\n');
  t.same(tools.args, { ALPINE_MIRROR: 'https://dl-cdn.alpinelinux.org', HTTP_PROXY: null }, 'a bare name set nowhere stays null');
  t.equal(tools.no_cache, true);
  t.equal(p.services.flask!.build!.context, 'https://github.com/docker/awesome-compose.git#master:flask/app', 'a git URL as written');
  t.equal(p.secrets['sentry-auth']!.file, path.join(dir, 'secrets/sentry.txt'));
});

t.test('own: networks', async (t) => {
  const { project: p } = roundTrip(t, { workingDir: path.join(OWN, 'networks') });
  t.same(p.services.proxy!.networks, {
    front: { ipv4_address: '172.28.0.10', aliases: ['www', 'www.example.test'] },
    back: { aliases: ['proxy.internal'], priority: 100 },
  });
  t.same(p.services.app!.networks, { back: { ipv4_address: '10.10.0.20', ipv6_address: 'fd00:10::20', mac_address: '02:42:0a:0a:00:14' }, 'db-net': {} });
  t.equal(p.services['app-sidecar']!.network_mode, 'service:app');
  t.same(p.services['app-sidecar']!.networks, {});
  t.same(p.networks, {
    front: {
      name: 'networks_front',
      external: false,
      driver: 'bridge',
      driver_opts: {},
      labels: {},
      ipam: { config: [{ subnet: '172.28.0.0/16', ip_range: '172.28.5.0/24', gateway: '172.28.0.1', aux_addresses: { router: '172.28.1.5' } }] },
    },
    back: {
      name: 'networks_back',
      external: false,
      enable_ipv6: true,
      driver_opts: { 'com.docker.network.bridge.name': 'br-back' },
      labels: { 'com.example.network': 'back' },
      ipam: { driver: 'default', config: [{ subnet: '10.10.0.0/24' }, { subnet: 'fd00:10::/64' }] },
    },
    'db-net': { name: 'networks_db-net', external: false, internal: true, driver_opts: {}, labels: {} },
    monitoring: { name: 'monitoring', external: true, driver_opts: {}, labels: {} },
  }, 'no default network: every service names its own');
});

// --- what the examples found ----------------------------------------------------

t.test('config prints a literal $ as $$: its output reads back as the same project', async (t) => {
  const p = loadProject({ workingDir: OWN, files: ['-'], stdinText: 'services:\n  a:\n    image: a\n    command: echo $$HOME\n    labels: {price: "$$5"}\nx-note: "$${X}"\n', env: { HOME } });
  const text = renderConfig(p);
  t.match(text, '- echo\n      - $$HOME\n');
  t.match(text, 'price: $$5\n');
  t.match(text, 'x-note: $${X}\n');
  const again = loadProject({ workingDir: OWN, files: ['-'], stdinText: text, env: { HOME } });
  t.same(again.services.a!.command, ['echo', '$HOME'], 'not /home/u');
  t.same(again.extensions, { 'x-note': '${X}' });
  t.same(again.warnings, []);
});

t.test('a YAML 1.1 octal (0440) is octal, as docker compose reads it', async (t) => {
  const p = loadProject({
    workingDir: OWN,
    files: ['-'],
    stdinText: 'services:\n  a:\n    image: a\n    environment: {ZIP: 01234, N: 0, EIGHT: 08, PLAIN: 440}\n    secrets: [{source: s, mode: 0440}, {source: s, target: t2, mode: 0o640}, {source: s, target: t3, mode: "0600"}]\nsecrets:\n  s: {file: ./s}\n',
    env: { HOME },
  });
  t.same(p.services.a!.secrets.map((s) => s.mode), [0o440, 0o640, 0o600]);
  t.same(p.services.a!.environment, { ZIP: String(0o1234), N: '0', EIGHT: '8', PLAIN: '440' });
});
