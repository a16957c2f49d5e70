// The merged, interpolated, validated tree of a project made the typed model
// (model.ts): short syntaxes parsed (ports, volumes, secrets, depends_on,
// networks, healthcheck tests), string commands split as shell words,
// env_file read under `environment`, durations and sizes as numbers,
// top-level resources named `<project>_<key>`, references between them
// checked. Keys the specification allows and husk does not act on are kept
// aside and named in a warning each, never dropped silently.
import fs from 'node:fs';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { parseDotenv } from './dotenv.js';
import { servicesInOrder } from './order.js';
import type { Lookup } from './interpolate.js';
import { hostPath } from './files.js';
import { isDict, listOrDict, type Dict } from './merge.js';
import type { Build, Dependency, Deploy, EnvFile, FileReference, Healthcheck, Network, Port, Project, Resources, SecretOrConfig, Service, ServiceNetwork, ServiceVolume, Volume } from './model.js';

export interface NormalizeContext {
  name: string;
  workingDir: string;
  files: string[];
  active: Set<string>;
  lookup: Lookup;
  warnings: string[];
  home?: string;
}

/** Service keys husk reads into the model; any other valid key is reported and kept in `ignored`. */
const SUPPORTED = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'networks', 'network_mode',
  'depends_on', 'healthcheck', 'restart', 'deploy', 'scale', 'user', 'working_dir', 'hostname', 'domainname', 'container_name',
  'labels', 'cap_add', 'cap_drop', 'privileged', 'read_only', 'security_opt', 'stop_signal', 'stop_grace_period', 'init', 'tty',
  'stdin_open', 'ulimits', 'sysctls', 'extra_hosts', 'dns', 'dns_search', 'dns_opt', 'tmpfs', 'devices', 'secrets', 'configs',
  'pull_policy', 'platform', 'logging', 'profiles',
]);

/** deploy keys husk reads (the rest concern a swarm: placement, update_config, ...). */
const DEPLOY_KEYS = new Set(['mode', 'replicas', 'resources', 'restart_policy', 'labels']);
const RESOURCE_KEYS = new Set(['cpus', 'memory', 'pids']);

export function normalizeProject(doc: Dict, ctx: NormalizeContext): Project {
  const raw = isDict(doc.services) ? doc.services : {};
  const services: Record<string, Service> = {};
  const disabled: string[] = [];
  for (const [name, svc] of Object.entries(raw)) {
    if (!ctx.active.has(name)) disabled.push(name);
    else services[name] = normalizeService(name, svc as Dict, ctx);
  }
  const used = (pred: (s: Service) => boolean) => Object.values(services).some(pred);
  const networks = section(doc.networks, ctx, (key, n) => normalizeNetwork(key, n, ctx));
  if (!networks.default && used((s) => 'default' in s.networks)) networks.default = normalizeNetwork('default', {}, ctx);
  const volumes = section(doc.volumes, ctx, (key, v) => normalizeVolume(key, v, ctx));
  const secrets = section(doc.secrets, ctx, (key, s) => normalizeSecret(key, s, ctx));
  const configs = section(doc.configs, ctx, (key, s) => normalizeSecret(key, s, ctx));

  for (const s of Object.values(services)) {
    const where = `service "${s.name}"`;
    for (const n of Object.keys(s.networks)) if (!networks[n]) throw new UsageError(`${where} refers to undefined network ${n}`);
    for (const v of s.volumes) if (v.type === 'volume' && v.source && !volumes[v.source]) throw new UsageError(`${where} refers to undefined volume ${v.source}`);
    for (const r of s.secrets) if (!secrets[r.source]) throw new UsageError(`${where} refers to undefined secret ${r.source}`);
    for (const r of s.build?.secrets ?? []) if (!secrets[r.source]) throw new UsageError(`${where} build refers to undefined secret ${r.source}`);
    for (const r of s.configs) if (!configs[r.source]) throw new UsageError(`${where} refers to undefined config ${r.source}`);
    for (const [d, dep] of Object.entries(s.depends_on)) if (!(d in raw) && dep.required) throw new UsageError(`${where} depends on undefined service "${d}"`);
    if (!s.image && !s.build) throw new UsageError(`${where} has neither an image nor a build context specified`);
  }
  servicesInOrder({ services, disabled } as Project); // a cycle in depends_on is the file's error
  const extensions = Object.fromEntries(Object.entries(doc).filter(([k]) => k.startsWith('x-')));
  for (const k of Object.keys(doc)) {
    if (!['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs'].includes(k) && !k.startsWith('x-')) ctx.warnings.push(`top-level key '${k}' is not supported by husk and is ignored`);
  }
  return { name: ctx.name, workingDir: ctx.workingDir, files: ctx.files, services, disabled, networks, volumes, secrets, configs, extensions, warnings: ctx.warnings };
}

function section<T>(v: unknown, _ctx: NormalizeContext, fn: (key: string, item: Dict) => T): Record<string, T> {
  const out: Record<string, T> = {};
  if (isDict(v)) for (const [k, item] of Object.entries(v)) out[k] = fn(k, isDict(item) ? item : {});
  return out;
}

const resourceName = (key: string, item: Dict, ctx: NormalizeContext) => {
  const external = bool(item.external) ?? false;
  return { external, name: str(item.name) ?? (external ? key : `${ctx.name}_${key}`) };
};

function normalizeNetwork(key: string, n: Dict, ctx: NormalizeContext): Network {
  const out: Network = { ...resourceName(key, n, ctx), driver_opts: stringMap(n.driver_opts), labels: stringMap(listOrDict(n.labels)) };
  if (n.driver !== undefined) out.driver = str(n.driver);
  for (const k of ['internal', 'attachable', 'enable_ipv6'] as const) if (n[k] !== undefined) out[k] = bool(n[k]);
  if (isDict(n.ipam)) {
    out.ipam = { config: Array.isArray(n.ipam.config) ? (n.ipam.config as Dict[]).map((c) => ({ ...c }) as never) : [] };
    if (n.ipam.driver !== undefined) out.ipam.driver = str(n.ipam.driver);
    if (isDict(n.ipam.options)) out.ipam.options = stringMap(n.ipam.options);
  }
  return out;
}

function normalizeVolume(key: string, v: Dict, ctx: NormalizeContext): Volume {
  const out: Volume = { ...resourceName(key, v, ctx), driver_opts: stringMap(v.driver_opts), labels: stringMap(listOrDict(v.labels)) };
  if (v.driver !== undefined) out.driver = str(v.driver);
  return out;
}

function normalizeSecret(key: string, s: Dict, ctx: NormalizeContext): SecretOrConfig {
  const out: SecretOrConfig = { ...resourceName(key, s, ctx), labels: stringMap(listOrDict(s.labels)) };
  if (typeof s.file === 'string') out.file = hostPath(s.file, ctx.workingDir, ctx.home);
  if (s.environment !== undefined) out.environment = str(s.environment);
  if (s.content !== undefined) out.content = str(s.content);
  return out;
}

function normalizeService(name: string, s: Dict, ctx: NormalizeContext): Service {
  const where = `service ${name}`;
  const svc: Service = {
    name,
    environment: {},
    env_file: [],
    ports: [],
    expose: list(s.expose),
    volumes: [],
    networks: {},
    depends_on: {},
    labels: stringMap(listOrDict(s.labels)),
    cap_add: list(s.cap_add),
    cap_drop: list(s.cap_drop),
    security_opt: list(s.security_opt),
    ulimits: {},
    sysctls: stringMap(listOrDict(s.sysctls)),
    extra_hosts: Array.isArray(s.extra_hosts) ? s.extra_hosts.map((h) => String(h).replace(/^([^:=]+):(?!:)/, '$1=')) : [],
    dns: list(s.dns),
    dns_search: list(s.dns_search),
    dns_opt: list(s.dns_opt),
    tmpfs: list(s.tmpfs),
    devices: Array.isArray(s.devices) ? s.devices.map((d) => (isDict(d) ? `${str(d.source)}:${str(d.target) ?? str(d.source)}${d.permissions ? `:${str(d.permissions)}` : ''}` : String(d))) : [],
    secrets: refs(s.secrets),
    configs: refs(s.configs),
    profiles: list(s.profiles),
    ignored: {},
    extensions: {},
  };
  for (const k of ['image', 'restart', 'user', 'working_dir', 'hostname', 'domainname', 'container_name', 'stop_signal', 'pull_policy', 'platform', 'network_mode'] as const) {
    if (s[k] !== undefined && s[k] !== null) svc[k] = text(s[k]);
  }
  for (const k of ['privileged', 'read_only', 'init', 'tty', 'stdin_open'] as const) if (s[k] !== undefined) svc[k] = bool(s[k], `${where}: ${k}`);
  if (s.scale !== undefined) svc.scale = int(s.scale, `${where}: scale`);
  if (s.stop_grace_period !== undefined) svc.stop_grace_period = duration(s.stop_grace_period, `${where}: stop_grace_period`);
  if (s.command !== undefined && s.command !== null) svc.command = words(s.command, `${where}: command`);
  if (s.entrypoint !== undefined && s.entrypoint !== null) svc.entrypoint = words(s.entrypoint, `${where}: entrypoint`);
  if (s.build !== undefined) svc.build = normalizeBuild(s.build as Dict, ctx, where);

  // env_file first, `environment` over it; a name without a value is looked up (still null when found nowhere).
  svc.env_file = envFiles(s.env_file, ctx);
  for (const f of svc.env_file) {
    let text: string;
    try {
      text = fs.readFileSync(f.path, 'utf8');
    } catch (err) {
      if (!f.required && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UsageError(`${where}: env_file ${f.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    Object.assign(svc.environment, parseDotenv(text, f.path, ctx.lookup));
  }
  for (const [k, v] of Object.entries(listOrDict(s.environment))) svc.environment[k] = v === null ? (ctx.lookup(k) ?? null) : scalar(v);

  if (Array.isArray(s.ports)) svc.ports = s.ports.flatMap((p, i) => parsePort(p, `${where}: ports[${i}]`));
  if (Array.isArray(s.volumes)) svc.volumes = s.volumes.map((v, i) => parseVolume(v, `${where}: volumes[${i}]`, ctx));
  if (svc.network_mode === undefined) {
    const nets = isDict(s.networks) ? s.networks : { default: null };
    for (const [n, cfg] of Object.entries(nets)) svc.networks[n] = serviceNetwork(cfg);
  } else if (s.networks !== undefined) throw new UsageError(`${where}: network_mode and networks cannot be combined`);
  if (isDict(s.depends_on)) {
    for (const [d, cfg] of Object.entries(s.depends_on)) {
      const c = isDict(cfg) ? cfg : {};
      const dep: Dependency = { condition: (str(c.condition) ?? 'service_started') as Dependency['condition'], required: bool(c.required) ?? true };
      if (c.restart !== undefined) dep.restart = bool(c.restart);
      svc.depends_on[d] = dep;
    }
  }
  if (isDict(s.healthcheck)) svc.healthcheck = healthcheck(s.healthcheck, where);
  if (isDict(s.deploy)) {
    svc.deploy = deploy(s.deploy, where);
    const resources = isDict(s.deploy.resources) ? s.deploy.resources : {};
    const entries = [
      ...Object.entries(s.deploy).filter(([k]) => !DEPLOY_KEYS.has(k)).map(([k, v]) => [`deploy.${k}`, v] as const),
      ...(['limits', 'reservations'] as const).flatMap((kind) => Object.entries(isDict(resources[kind]) ? resources[kind] : {}).filter(([k]) => !RESOURCE_KEYS.has(k)).map(([k, v]) => [`deploy.resources.${kind}.${k}`, v] as const)),
    ];
    // Named in a warning; not kept in `ignored`, whose keys render as the service's own.
    for (const [key] of entries) {
      if (key.split('.').pop()!.startsWith('x-')) continue;
      ctx.warnings.push(`service ${name}: key '${key}' is not supported by husk and is ignored`);
    }
  }
  if (svc.scale !== undefined && svc.deploy?.replicas !== undefined && svc.scale !== svc.deploy.replicas) {
    throw new UsageError(`${where}: scale (${svc.scale}) and deploy.replicas (${svc.deploy.replicas}) differ`);
  }
  if (isDict(s.ulimits)) {
    for (const [k, v] of Object.entries(s.ulimits)) {
      svc.ulimits[k] = isDict(v) ? { soft: int(v.soft, `${where}: ulimits.${k}.soft`)!, hard: int(v.hard, `${where}: ulimits.${k}.hard`)! } : { single: int(v, `${where}: ulimits.${k}`)! };
    }
  }
  if (isDict(s.logging)) svc.logging = { ...(s.logging.driver !== undefined ? { driver: str(s.logging.driver) } : {}), options: stringMap(s.logging.options) };

  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-')) svc.extensions[k] = v;
    else if (!SUPPORTED.has(k)) {
      svc.ignored[k] = v;
      ctx.warnings.push(`service ${name}: key '${k}' is not supported by husk and is ignored`);
    }
  }
  return svc;
}

function normalizeBuild(b: Dict, ctx: NormalizeContext, where: string): Build {
  const out: Build = {
    context: str(b.context) ?? ctx.workingDir,
    args: {},
    labels: stringMap(listOrDict(b.labels)),
    secrets: refs(b.secrets),
    cache_from: list(b.cache_from),
    cache_to: list(b.cache_to),
    tags: list(b.tags),
    platforms: list(b.platforms),
    extra_hosts: Array.isArray(b.extra_hosts) ? b.extra_hosts.map(String) : isDict(b.extra_hosts) ? Object.entries(b.extra_hosts).map(([h, ip]) => `${h}=${String(ip)}`) : [],
    additional_contexts: stringMap(listOrDict(b.additional_contexts)),
  };
  for (const [k, v] of Object.entries(listOrDict(b.args))) out.args[k] = v === null ? (ctx.lookup(k) ?? null) : scalar(v);
  for (const k of ['dockerfile', 'dockerfile_inline', 'target', 'network'] as const) if (b[k] !== undefined) out[k] = str(b[k]);
  if (b.pull !== undefined) out.pull = bool(b.pull, `${where}: build.pull`);
  if (b.no_cache !== undefined) out.no_cache = bool(b.no_cache, `${where}: build.no_cache`);
  if (b.shm_size !== undefined) out.shm_size = bytes(b.shm_size, `${where}: build.shm_size`);
  for (const k of Object.keys(b)) {
    if (!['context', 'dockerfile', 'dockerfile_inline', 'args', 'target', 'labels', 'secrets', 'cache_from', 'cache_to', 'network', 'pull', 'no_cache', 'tags', 'platforms', 'shm_size', 'extra_hosts', 'additional_contexts'].includes(k) && !k.startsWith('x-')) {
      ctx.warnings.push(`${where}: key 'build.${k}' is not supported by husk and is ignored`);
    }
  }
  return out;
}

function envFiles(v: unknown, ctx: NormalizeContext): EnvFile[] {
  const items = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
  return items.map((e) => (isDict(e) ? { path: hostPath(String(e.path), ctx.workingDir, ctx.home), required: bool(e.required) ?? true } : { path: hostPath(String(e), ctx.workingDir, ctx.home), required: true }));
}

function serviceNetwork(cfg: unknown): ServiceNetwork {
  if (!isDict(cfg)) return {};
  const out: ServiceNetwork = {};
  if (cfg.aliases !== undefined) out.aliases = list(cfg.aliases);
  if (cfg.link_local_ips !== undefined) out.link_local_ips = list(cfg.link_local_ips);
  for (const k of ['ipv4_address', 'ipv6_address', 'mac_address', 'interface_name'] as const) if (cfg[k] !== undefined) out[k] = str(cfg[k]);
  for (const k of ['priority', 'gw_priority'] as const) if (cfg[k] !== undefined) out[k] = int(cfg[k], k);
  if (cfg.driver_opts !== undefined) out.driver_opts = stringMap(cfg.driver_opts);
  return out;
}

function healthcheck(h: Dict, where: string): Healthcheck {
  const out: Healthcheck = {};
  if (h.test !== undefined) out.test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : list(h.test);
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) if (h[k] !== undefined) out[k] = duration(h[k], `${where}: healthcheck.${k}`);
  if (h.retries !== undefined) out.retries = int(h.retries, `${where}: healthcheck.retries`);
  if (h.disable !== undefined) out.disable = bool(h.disable, `${where}: healthcheck.disable`);
  if (out.disable) out.test = ['NONE'];
  return out;
}

function deploy(d: Dict, where: string): Deploy {
  const out: Deploy = {};
  if (d.mode !== undefined) out.mode = str(d.mode);
  if (d.replicas !== undefined) out.replicas = int(d.replicas, `${where}: deploy.replicas`);
  if (isDict(d.resources)) {
    const res = (r: unknown, at: string): Resources | undefined => {
      if (!isDict(r)) return undefined;
      const o: Resources = {};
      if (r.cpus !== undefined) o.cpus = num(r.cpus, `${at}.cpus`);
      if (r.memory !== undefined) o.memory = bytes(r.memory, `${at}.memory`);
      if (r.pids !== undefined) o.pids = int(r.pids, `${at}.pids`);
      return o;
    };
    out.resources = {};
    const limits = res(d.resources.limits, `${where}: deploy.resources.limits`);
    const reservations = res(d.resources.reservations, `${where}: deploy.resources.reservations`);
    if (limits) out.resources.limits = limits;
    if (reservations) out.resources.reservations = reservations;
  }
  if (isDict(d.restart_policy)) {
    const r = d.restart_policy;
    out.restart_policy = {};
    if (r.condition !== undefined) out.restart_policy.condition = str(r.condition);
    if (r.max_attempts !== undefined) out.restart_policy.max_attempts = int(r.max_attempts, `${where}: deploy.restart_policy.max_attempts`);
    for (const k of ['delay', 'window'] as const) if (r[k] !== undefined) out.restart_policy[k] = duration(r[k], `${where}: deploy.restart_policy.${k}`);
  }
  if (d.labels !== undefined) out.labels = stringMap(listOrDict(d.labels));
  return out;
}

function refs(v: unknown): FileReference[] {
  if (!Array.isArray(v)) return [];
  return v.map((r) => {
    if (!isDict(r)) return { source: String(r) };
    const out: FileReference = { source: String(r.source) };
    for (const k of ['target', 'uid', 'gid'] as const) if (r[k] !== undefined) out[k] = text(r[k]);
    if (r.mode !== undefined) out.mode = typeof r.mode === 'number' ? r.mode : parseInt(text(r.mode), 8);
    return out;
  });
}

/** A port in the short syntax ("8080:80", "127.0.0.1:8080:80/udp", "[::1]:80:80", "8000-8001:80-81", 80) or the long one; ranges of equal length pair up. */
export function parsePort(p: unknown, where: string): Port[] {
  if (isDict(p)) {
    const out: Port = { mode: str(p.mode) ?? 'ingress', target: int(p.target, `${where}.target`)!, protocol: str(p.protocol) ?? 'tcp' };
    if (p.name !== undefined) out.name = str(p.name);
    if (p.host_ip !== undefined) out.host_ip = str(p.host_ip);
    if (p.published !== undefined && p.published !== '') out.published = text(p.published);
    if (p.app_protocol !== undefined) out.app_protocol = str(p.app_protocol);
    return [out];
  }
  const spec = String(p);
  const bad = () => new UsageError(`${where}: invalid port "${spec}": want [[ip:]published:]target[/protocol]`);
  let rest = spec;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
    if (!/^(tcp|udp|sctp)$/.test(protocol)) throw bad();
  }
  let hostIp: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (v6 && parts.length !== 2)) throw bad();
  const target = parts.pop()!;
  const published = parts.pop();
  const range = (s: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (!m) throw bad();
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > 65535 || b > 65535 || b < a) throw bad();
    return [a, b];
  };
  const [t0, t1] = range(target);
  const pub = published === undefined || published === '' ? undefined : range(published);
  const base = (t: number, pb: string | undefined): Port => ({ mode: 'ingress', ...(hostIp ? { host_ip: hostIp } : {}), target: t, ...(pb !== undefined ? { published: pb } : {}), protocol });
  if (t0 === t1) return [base(t0, pub ? (pub[0] === pub[1] ? String(pub[0]) : `${pub[0]}-${pub[1]}`) : undefined)];
  if (pub && pub[1] - pub[0] !== t1 - t0) {
    if (pub[0] !== pub[1]) throw new UsageError(`${where}: invalid port "${spec}": the published and target ranges differ in length`);
  }
  const out: Port[] = [];
  for (let t = t0; t <= t1; t++) out.push(base(t, pub ? String(pub[0] === pub[1] ? pub[0] : pub[0] + (t - t0)) : undefined));
  return out;
}

const VOLUME_MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'cached', 'delegated', 'consistent']);

/** A volume in the short syntax ("data:/path:ro", "./dir:/path", "/abs:/path", "/path") or the long one; relative host paths against the project directory. */
export function parseVolume(v: unknown, where: string, ctx: NormalizeContext): ServiceVolume {
  if (isDict(v)) {
    const type = (str(v.type) ?? 'volume') as ServiceVolume['type'];
    const out: ServiceVolume = { type, target: str(v.target) ?? '' };
    if (v.source !== undefined && v.source !== '') out.source = type === 'bind' ? hostPath(text(v.source), ctx.workingDir, ctx.home) : text(v.source);
    if (v.read_only !== undefined) out.read_only = bool(v.read_only, `${where}.read_only`);
    if (v.consistency !== undefined) out.consistency = str(v.consistency);
    if (isDict(v.bind)) {
      out.bind = {};
      if (v.bind.propagation !== undefined) out.bind.propagation = str(v.bind.propagation);
      if (v.bind.create_host_path !== undefined) out.bind.create_host_path = bool(v.bind.create_host_path);
      if (v.bind.selinux !== undefined) out.bind.selinux = str(v.bind.selinux) as 'z' | 'Z';
      if (v.bind.recursive !== undefined) out.bind.recursive = str(v.bind.recursive);
    }
    if (isDict(v.volume)) {
      out.volume = {};
      if (v.volume.nocopy !== undefined) out.volume.nocopy = bool(v.volume.nocopy);
      if (v.volume.subpath !== undefined) out.volume.subpath = str(v.volume.subpath);
    }
    if (isDict(v.tmpfs)) {
      out.tmpfs = {};
      if (v.tmpfs.size !== undefined) out.tmpfs.size = bytes(v.tmpfs.size, `${where}.tmpfs.size`);
      if (v.tmpfs.mode !== undefined) out.tmpfs.mode = typeof v.tmpfs.mode === 'number' ? v.tmpfs.mode : parseInt(text(v.tmpfs.mode), 8);
    }
    if (isDict(v.image) && v.image.subpath !== undefined) out.image = { subpath: str(v.image.subpath) };
    if (!out.target) throw new UsageError(`${where}: a volume needs a target`);
    return out;
  }
  const spec = String(v);
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new UsageError(`${where}: invalid volume "${spec}": want [source:]target[:mode]`);
  if (parts.length === 1) return { type: 'volume', target: parts[0]! };
  const [source, target, modes] = parts as [string, string, string | undefined];
  const isPath = /^[./~]/.test(source);
  const out: ServiceVolume = isPath ? { type: 'bind', source: hostPath(source, ctx.workingDir, ctx.home), target } : { type: 'volume', source, target };
  for (const m of modes ? modes.split(',') : []) {
    if (!VOLUME_MODES.has(m)) throw new UsageError(`${where}: invalid volume "${spec}": unknown mode "${m}"`);
    if (m === 'ro') out.read_only = true;
    else if (m === 'rw') out.read_only = false;
    else if (m === 'z' || m === 'Z') out.bind = { ...out.bind, selinux: m };
    else if (m === 'nocopy') out.volume = { nocopy: true };
    else if (m === 'cached' || m === 'delegated' || m === 'consistent') out.consistency = m;
    else out.bind = { ...out.bind, propagation: m };
  }
  if (out.read_only === false) delete out.read_only;
  if (out.type === 'bind') out.bind = { ...out.bind, create_host_path: true };
  return out;
}

/** A command or entrypoint: a list as given, a string split as shell words (quotes and backslashes, no substitution). */
export function words(v: unknown, where: string): string[] {
  if (Array.isArray(v)) return v.map(String);
  const s = String(v);
  const out: string[] = [];
  let cur = '';
  let any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`${where}: unterminated quote in ${JSON.stringify(s)}`);
      cur += s.slice(i + 1, end);
      any = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && '"\\$`'.includes(s[j + 1] ?? '')) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new UsageError(`${where}: unterminated quote in ${JSON.stringify(s)}`);
      any = true;
      i = j;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      any = true;
    } else if (/\s/.test(c)) {
      if (any) out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

/** A scalar from the tree as text (validated input: a string, number or boolean; anything else as JSON). */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : text(v));
const scalar = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [text(v)]);

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isDict(v)) for (const [k, x] of Object.entries(v)) out[k] = x === null ? '' : scalar(x);
  return out;
}

function bool(v: unknown, where = 'value'): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return undefined;
  const s = text(v).toLowerCase();
  if (['true', 'yes', 'y', 'on', '1'].includes(s)) return true;
  if (['false', 'no', 'n', 'off', '0'].includes(s)) return false;
  throw new UsageError(`${where}: ${JSON.stringify(v)} is not a boolean`);
}

function num(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || String(v).trim() === '') throw new UsageError(`${where}: ${JSON.stringify(v)} is not a number`);
  return n;
}

function int(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = num(v, where);
  if (!Number.isInteger(n)) throw new UsageError(`${where}: ${JSON.stringify(v)} is not an integer`);
  return n;
}

function duration(v: unknown, where: string): number {
  const ms = typeof v === 'number' ? v * 1000 : parseDuration(String(v), 's');
  if (ms === undefined) throw new UsageError(`${where}: ${JSON.stringify(v)} is not a duration (like 30s, 1m30s, 500ms)`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** docker's RAMInBytes: "512m", "1gb", "1024" (bytes), binary units. */
export function bytes(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt])?b?$/i.exec(String(v).trim());
  if (!m) throw new UsageError(`${where}: ${JSON.stringify(v)} is not a size (like 512m, 1g)`);
  return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
}
