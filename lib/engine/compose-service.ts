// A compose service made the engine's CreateOptions, as docker compose
// turns a service into a container's config: the same checks as the flags
// of `run` (create-checks, the network and resource parsers), the compose
// labels that find the container again, and the config hash that tells
// `up` whether a container still matches its service.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import type { Project, Service, ServiceVolume } from '../compose/index.js';
import type { HealthConfig } from '../runtime/container-store.js';
import type { ContainerNetworkConfig, NetworkAttachment } from '../core/network.js';
import { mkdirPrivate } from '../storage/atomic.js';
import { parseNetworkConfig } from './container-network.js';
import { parseRestartPolicy, parseSecurityOpts } from './create-checks.js';
import type { CreateOptions } from './create.js';
import { parseResources, parseUlimit } from './limits.js';
import type { MountRequest } from './mounts.js';

/** The labels docker compose puts on what it makes; `ps`, `down` and `up` find the project by them. */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  image: 'com.docker.compose.image',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  dependsOn: 'com.docker.compose.depends_on',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** The compose file version husk reads (docker compose's, whose behaviour it follows). */
export const COMPOSE_VERSION = '2.29.0';

/** The image a service runs: its `image:`, or for a build without one `<project>-<service>`, as docker compose names it. */
export function serviceImage(project: Project, svc: Service): string {
  return svc.image ?? `${project.name}-${svc.name}`;
}

/** How many containers `up` keeps for the service (--scale over `scale:` over deploy.replicas). */
export function replicasOf(svc: Service, scale?: Record<string, number>): number {
  return scale?.[svc.name] ?? svc.scale ?? svc.deploy?.replicas ?? 1;
}

/** A container's name: `container_name:`, else `<project>-<service>-<n>`. */
export function containerName(project: Project, svc: Service, number: number): string {
  return svc.container_name ?? `${project.name}-${svc.name}-${number}`;
}

/**
 * What decides whether a container still matches its service: the service's
 * model without what only says how many there are or when they start, so
 * `--scale` and profiles recreate nothing.
 */
export function configHash(svc: Service): string {
  const { scale: _scale, profiles: _profiles, deploy, ...rest } = svc;
  const { replicas: _replicas, ...deployRest } = deploy ?? {};
  return crypto.createHash('sha256').update(JSON.stringify({ ...rest, deploy: deployRest })).digest('hex');
}

/**
 * What the model holds of a service that husk's containers cannot have:
 * one warning each, so that nothing the file asks for is dropped silently.
 */
export function serviceWarnings(svc: Service): string[] {
  const w: string[] = [];
  const not = (what: string, why = 'is not supported by husk and is ignored') => w.push(`service "${svc.name}": ${what} ${why}`);
  if (Object.keys(svc.sysctls).length) not('sysctls');
  if (svc.domainname) not('domainname');
  if (svc.healthcheck?.start_interval !== undefined) not('healthcheck.start_interval');
  const res = svc.deploy?.resources?.reservations;
  if (res?.cpus !== undefined || res?.pids !== undefined) not('deploy.resources.reservations (cpus, pids)', 'are not supported by husk and are ignored (memory is kept as a soft limit)');
  if (svc.deploy?.mode === 'global') not('deploy.mode global', 'is a swarm mode: husk runs one container');
  const driver = svc.logging?.driver;
  if (driver !== undefined && !['json-file', 'k8s-file', 'local'].includes(driver)) not(`logging driver ${driver}`, 'is not supported by husk: its own log file is used');
  if (svc.logging && Object.keys(svc.logging.options).length) not('logging.options');
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  if (svc.platform && !new RegExp(`^linux(/${arch}.*)?$`).test(svc.platform)) not(`platform ${svc.platform}`, `is not this machine's (linux/${arch}): husk runs only its own`);
  for (const [n, cfg] of Object.entries(svc.networks)) {
    for (const k of ['ipv6_address', 'link_local_ips', 'interface_name', 'driver_opts', 'gw_priority'] as const) if (cfg[k] !== undefined) not(`networks.${n}.${k}`);
  }
  for (const k of ['additional_contexts', 'cache_to'] as const) if (svc.build && Object.keys(svc.build[k]).length) not(`build.${k}`);
  return w;
}

export interface ServiceContainerOptions {
  number: number;
  imageId: string;
  /** `compose run`: a one-off container. */
  oneoff?: { name: string; command?: string[]; entrypoint?: string[]; env: string[]; servicePorts: boolean; rm: boolean; user?: string; workdir?: string; tty?: boolean; interactive?: boolean; attach?: boolean };
  /** network_mode: service:NAME, resolved to one of that service's containers. */
  serviceContainer?: (service: string) => string;
}

export function serviceCreateOptions(ctx: Context, project: Project, svc: Service, o: ServiceContainerOptions): CreateOptions {
  const where = `service "${svc.name}"`;
  const one = o.oneoff;
  const entry = one?.entrypoint ?? svc.entrypoint;
  const command = one?.command ?? svc.command;
  const limits = deployResources(svc, where);
  const health = healthOf(svc);
  return {
    image: serviceImage(project, svc),
    name: one?.name ?? containerName(project, svc, o.number),
    // A list entrypoint: the engine takes its program apart from its arguments, which lead the command.
    entrypoint: entry === undefined ? undefined : (entry[0] ?? ''),
    command: entry === undefined ? (command ?? []) : [...entry.slice(1), ...(command ?? [])],
    env: [...Object.entries(svc.environment).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`])), ...(one?.env ?? [])],
    workdir: one?.workdir ?? svc.working_dir,
    user: one?.user ?? svc.user,
    hostname: svc.hostname,
    capAdd: svc.cap_add,
    capDrop: svc.cap_drop,
    privileged: svc.privileged ?? false,
    readOnly: svc.read_only ?? false,
    security: parseSecurityOpts(svc.security_opt),
    keepId: false,
    network: networkOf(ctx, project, svc, o, one ? one.servicePorts : true),
    tty: one?.tty ?? svc.tty ?? false,
    interactive: one?.interactive ?? svc.stdin_open ?? false,
    autoRemove: one?.rm ?? false,
    ...(one?.attach ? { attach: true, startNow: true } : {}),
    restartPolicy: one ? undefined : parseRestartPolicy(restartOf(svc), false),
    labels: { ...svc.deploy?.labels, ...svc.labels, ...composeLabels(project, svc, o) },
    ...(health !== undefined ? { health } : {}),
    stopSignal: svc.stop_signal,
    stopTimeout: svc.stop_grace_period === undefined ? undefined : Math.ceil(svc.stop_grace_period / 1000),
    init: svc.init ?? false,
    devices: svc.devices,
    mounts: [...svc.volumes.map((v) => mountOf(v, project, where)), ...svc.tmpfs.map((t) => tmpfsOf(t, where)), ...fileMounts(ctx, project, svc)],
    rlimits: Object.entries(svc.ulimits).map(([k, u]) => parseUlimit('single' in u ? `${k}=${u.single}` : `${k}=${u.soft}:${u.hard}`)),
    ...limits,
  };
}

function composeLabels(project: Project, svc: Service, o: ServiceContainerOptions): Record<string, string> {
  return {
    [LABEL.project]: project.name,
    [LABEL.service]: svc.name,
    [LABEL.number]: String(o.number),
    [LABEL.oneoff]: o.oneoff ? 'True' : 'False',
    [LABEL.configHash]: configHash(svc),
    [LABEL.image]: o.imageId,
    [LABEL.workingDir]: project.workingDir,
    [LABEL.configFiles]: project.files.join(','),
    [LABEL.dependsOn]: Object.entries(svc.depends_on)
      .map(([d, dep]) => `${d}:${dep.condition}:${dep.restart ?? false}`)
      .join(','),
    [LABEL.version]: COMPOSE_VERSION,
  };
}

/** restart:, else deploy.restart_policy as swarm spells it (none, on-failure, any). */
function restartOf(svc: Service): string | undefined {
  if (svc.restart !== undefined) return svc.restart;
  const p = svc.deploy?.restart_policy;
  if (!p?.condition) return undefined;
  if (p.condition === 'any') return 'always';
  if (p.condition === 'on-failure') return p.max_attempts ? `on-failure:${p.max_attempts}` : 'on-failure';
  return 'no';
}

function healthOf(svc: Service): Partial<HealthConfig> | null | undefined {
  const h = svc.healthcheck;
  if (!h) return undefined;
  if (h.disable || h.test?.[0] === 'NONE') return null;
  const out: Partial<HealthConfig> = {};
  if (h.test) out.test = h.test;
  if (h.interval !== undefined) out.intervalMs = h.interval;
  if (h.timeout !== undefined) out.timeoutMs = h.timeout;
  if (h.start_period !== undefined) out.startPeriodMs = h.start_period;
  if (h.retries !== undefined) out.retries = h.retries;
  if (out.intervalMs === 0) throw new UsageError(`service "${svc.name}": healthcheck.interval must be more than 0`);
  return out;
}

function deployResources(svc: Service, where: string): Pick<CreateOptions, 'resources'> {
  const lim = svc.deploy?.resources?.limits;
  const res = svc.deploy?.resources?.reservations;
  if (!lim && !res) return {};
  const { resources, warnings } = parseResources({
    memory: lim?.memory === undefined ? undefined : String(lim.memory),
    cpus: lim?.cpus === undefined ? undefined : String(lim.cpus),
    pidsLimit: lim?.pids,
    memoryReservation: res?.memory === undefined ? undefined : String(res.memory),
  });
  for (const w of warnings) process.stderr.write(`WARN: ${where}: ${w}\n`);
  return { resources };
}

/**
 * network_mode, or the project networks the service joins, each with the
 * service's name and the aliases and address the file gives there. Ports
 * are published only where the container has network of its own.
 */
function networkOf(ctx: Context, project: Project, svc: Service, o: ServiceContainerOptions, withPorts: boolean): ContainerNetworkConfig {
  let mode = svc.network_mode;
  if (mode?.startsWith('service:')) {
    const other = mode.slice('service:'.length);
    if (!o.serviceContainer) throw new UsageError(`service "${svc.name}": network_mode ${mode} needs service ${other} running`);
    mode = `container:${o.serviceContainer(other)}`;
  }
  const attachments: NetworkAttachment[] = Object.entries(svc.networks)
    .sort(([a, x], [b, y]) => (y.priority ?? 0) - (x.priority ?? 0) || a.localeCompare(b))
    .map(([key, n]) => ({
      name: project.networks[key]!.name,
      aliases: [...new Set([svc.name, ...(n.aliases ?? [])])],
      ...(n.ipv4_address ? { ip: n.ipv4_address } : {}),
      ...(n.mac_address ? { mac: n.mac_address } : {}),
    }));
  const config = parseNetworkConfig({
    network: mode !== undefined ? [mode] : attachments.map((a) => a.name),
    networkAlias: [],
    rootless: ctx.rootless,
    publish: withPorts ? svc.ports.map(publishSpec) : [],
    publishAll: false,
    expose: svc.expose,
    addHost: svc.extra_hosts,
    noHosts: false,
    dns: svc.dns,
    dnsSearch: svc.dns_search,
    dnsOptions: svc.dns_opt,
  });
  if (config.mode.kind === 'bridge' && mode === undefined) config.mode = { kind: 'bridge', networks: attachments };
  return config;
}

/** A port of the model as -p spells it. */
function publishSpec(p: Service['ports'][number]): string {
  const ip = p.host_ip ? (p.host_ip.includes(':') ? `[${p.host_ip}]` : p.host_ip) : '';
  const host = ip ? `${ip}:${p.published ?? ''}:` : p.published ? `${p.published}:` : '';
  return `${host}${p.target}/${p.protocol}`;
}

function mountOf(v: ServiceVolume, project: Project, where: string): MountRequest {
  const at = `${where}: volume ${v.source ?? ''}:${v.target}`;
  if (!v.target.startsWith('/')) throw new UsageError(`${at}: the container path must be absolute`);
  const rw = !v.read_only;
  if (v.type === 'bind') {
    const source = v.source!;
    if (!fs.existsSync(source)) {
      if (!v.bind?.create_host_path) throw new UsageError(`${at}: bind source ${source} does not exist`);
      fs.mkdirSync(source, { recursive: true });
    }
    const options = [v.bind?.recursive === 'disabled' ? 'bind' : 'rbind', ...(v.bind?.propagation ? [v.bind.propagation] : [])];
    return { type: 'bind', source, destination: v.target, rw, options };
  }
  if (v.type === 'volume') {
    if (v.volume?.subpath) throw new UsageError(`${at}: volume.subpath is not supported by husk`);
    const source = v.source === undefined ? '' : project.volumes[v.source]!.name;
    return { type: 'volume', source, destination: v.target, rw, options: ['rbind'], noCopy: v.volume?.nocopy ?? false };
  }
  if (v.type === 'tmpfs') {
    const options = ['nosuid', 'nodev', ...(v.tmpfs?.size !== undefined ? [`size=${v.tmpfs.size}`] : []), ...(v.tmpfs?.mode !== undefined ? [`mode=${v.tmpfs.mode.toString(8)}`] : [])];
    return { type: 'tmpfs', source: 'tmpfs', destination: v.target, rw, options };
  }
  throw new UsageError(`${at}: volumes of type ${v.type} are not supported by husk`);
}

/** `tmpfs: /run:size=64m,mode=1777`: as --tmpfs. */
function tmpfsOf(spec: string, where: string): MountRequest {
  const colon = spec.indexOf(':');
  const dest = colon < 0 ? spec : spec.slice(0, colon);
  if (!dest.startsWith('/')) throw new UsageError(`${where}: tmpfs ${spec}: the container path must be absolute`);
  const opts = colon < 0 ? [] : spec.slice(colon + 1).split(',').filter(Boolean);
  return { type: 'tmpfs', source: 'tmpfs', destination: dest, rw: !opts.includes('ro'), options: ['nosuid', 'nodev', 'noexec', ...opts.filter((x) => x !== 'ro' && x !== 'rw')] };
}

/**
 * secrets (in /run/secrets/) and configs (at /<name>, or their target),
 * bound read-only from their file; a secret or config given by
 * `environment:` or `content:` is written to a private file of the project
 * first (mode 0600 for secrets).
 */
function fileMounts(ctx: Context, project: Project, svc: Service): MountRequest[] {
  const mounts: MountRequest[] = [];
  for (const [kind, refs, defs] of [['secrets', svc.secrets, project.secrets], ['configs', svc.configs, project.configs]] as const) {
    for (const r of refs) {
      const def = defs[r.source]!;
      if (def.external) throw new UsageError(`service "${svc.name}": external ${kind} (${r.source}) need a swarm: not supported by husk`);
      const target = kind === 'secrets' ? (r.target?.startsWith('/') ? r.target : `/run/secrets/${r.target ?? r.source}`) : (r.target ?? `/${r.source}`);
      mounts.push({ type: 'bind', source: fileOf(ctx, project, kind, r.source, def), destination: target, rw: false, options: ['rbind'] });
    }
  }
  return mounts;
}

function fileOf(ctx: Context, project: Project, kind: string, name: string, def: Project['secrets'][string]): string {
  if (def.file !== undefined) {
    if (!fs.existsSync(def.file)) throw new UsageError(`${kind.slice(0, -1)} "${name}": file ${def.file} does not exist`);
    return def.file;
  }
  const content = inlineContent(def, `${kind.slice(0, -1)} "${name}"`);
  const dir = path.join(ctx.paths.dataRoot, 'compose', project.name, kind);
  mkdirPrivate(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: kind === 'secrets' ? 0o600 : 0o644 });
  fs.chmodSync(file, kind === 'secrets' ? 0o600 : 0o644);
  return file;
}

/** A secret's or config's `content:`, or the value of its `environment:` variable (which must be set). */
export function inlineContent(def: Project['secrets'][string], what: string): string {
  const content = def.content ?? (def.environment !== undefined ? process.env[def.environment] : undefined);
  if (content === undefined) throw new UsageError(`${what}: environment variable ${def.environment} is not set`);
  return content;
}
