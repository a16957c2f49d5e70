// The options `run` and `create` share, and their translation into the
// engine's CreateOptions. All validation of user input happens here or in
// the engine, before anything touches the disk.
import fs from 'node:fs';
import type { Options } from 'yargs';
import type { CreateOptions } from '../engine/create.js';
import { UsageError } from '../core/errors.js';
import type { HealthConfig } from '../engine/containers.js';
import { parseDuration } from '../core/duration.js';
import { parseSignal } from '../engine/lifecycle.js';
import { parseNetworkConfig } from '../engine/container-network.js';
import type { ContainerNetworkConfig } from '../core/network.js';
import { parseRestartPolicy, parseSecurityOpts } from '../engine/create-checks.js';
import { parseSdNotify } from '../engine/sdnotify.js';
import { lastWins } from './common.js';
import { mountOptions } from './volume-options.js';
import { RESOURCE_OPTIONS, resourceOptions, type ResourceArgs } from './resource-options.js';
import { hostEnv, labelFileEntries, parseEntrypoint, parseUserns, podmanCreateOptions, PODMAN_CREATE_OPTIONS, PODMAN_RUN_ONLY_OPTIONS, type PodmanCreateArgs } from './run-podman-options.js';

export { parseRestartPolicy, parseSecurityOpts };

export const CREATE_OPTIONS: Record<string, Options> = {
  ...RESOURCE_OPTIONS,
  ...PODMAN_CREATE_OPTIONS,
  interactive: { alias: 'i', type: 'boolean', default: false, describe: 'Keep STDIN open' },
  tty: { alias: 't', type: 'boolean', default: false, describe: 'Allocate a pseudo-TTY' },
  rm: { type: 'boolean', default: false, describe: 'Remove the container when it exits' },
  name: { type: 'string', coerce: lastWins, describe: 'Assign a name to the container' },
  env: { alias: 'e', type: 'string', array: true, nargs: 1, default: [], describe: 'Set environment variables (KEY=VALUE, or KEY to pass the host value)' },
  'env-file': { type: 'string', array: true, nargs: 1, default: [], describe: 'Read environment variables from a file' },
  entrypoint: { type: 'string', coerce: lastWins, describe: 'Overwrite the image ENTRYPOINT ("" to clear it; a JSON array for several words)' },
  workdir: { alias: 'w', type: 'string', coerce: lastWins, describe: 'Working directory inside the container' },
  user: { alias: 'u', type: 'string', coerce: lastWins, describe: 'Username or UID, optionally with group (USER[:GROUP])' },
  hostname: { alias: 'h', type: 'string', coerce: lastWins, describe: 'Container host name' },
  'cap-add': { type: 'string', array: true, nargs: 1, default: [], describe: 'Add Linux capabilities' },
  'cap-drop': { type: 'string', array: true, nargs: 1, default: [], describe: 'Drop Linux capabilities' },
  privileged: { type: 'boolean', default: false, describe: 'Give extended privileges to the container' },
  'read-only': { type: 'boolean', default: false, describe: 'Mount the container root filesystem read-only' },
  'security-opt': { type: 'string', array: true, nargs: 1, default: [], describe: 'Security options: seccomp=unconfined|PROFILE.json, no-new-privileges' },
  device: { type: 'string', array: true, nargs: 1, default: [], describe: 'Add a host device: /host/dev[:/container/path][:PERMISSIONS (rwm)]' },
  'device-cgroup-rule': { type: 'string', array: true, nargs: 1, default: [], describe: 'Allow devices by number (as root): "TYPE MAJOR:MINOR ACCESS", e.g. "c 1:11 rwm"' },
  userns: { type: 'string', coerce: lastWins, describe: 'User namespace mode: "" or host (the default), keep-id[:uid=N,gid=N] (rootless)' },
  network: { alias: ['net'], type: 'string', array: true, nargs: 1, default: [], describe: 'Networks to join (repeatable, comma-separated), or a mode: bridge, pasta[:OPTIONS], slirp4netns[:OPTIONS], private, none, host, container:NAME, ns:PATH' },
  'network-alias': { alias: ['net-alias'], type: 'string', array: true, nargs: 1, default: [], describe: 'Add a network-scoped alias for the container (user networks)' },
  ip: { type: 'string', coerce: lastWins, describe: 'IPv4 or IPv6 address of the container on its user network' },
  'mac-address': { type: 'string', coerce: lastWins, describe: 'MAC address of the container on its user network (e.g. 92:d0:c6:0a:29:33)' },
  publish: { alias: 'p', type: 'string', array: true, nargs: 1, default: [], describe: 'Publish a container\'s port(s) on the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]' },
  'publish-all': { alias: 'P', type: 'boolean', default: false, describe: 'Publish all exposed ports on free host ports' },
  expose: { type: 'string', array: true, nargs: 1, default: [], describe: 'Expose a port or a range of ports: PORT[-END][/tcp|/udp]' },
  'add-host': { type: 'string', array: true, nargs: 1, default: [], describe: 'Add a line to /etc/hosts: NAME:IP (IP may be host-gateway)' },
  // --no-hosts negates --hosts.
  hosts: { type: 'boolean', default: true, describe: 'Write /etc/hosts for the container (--no-hosts: keep the image\'s)' },
  dns: { type: 'string', array: true, nargs: 1, default: [], describe: 'Set custom DNS servers (IP addresses)' },
  'dns-search': { type: 'string', array: true, nargs: 1, default: [], describe: 'Set custom DNS search domains ("." for none)' },
  'dns-option': { alias: ['dns-opt'], type: 'string', array: true, nargs: 1, default: [], describe: 'Set DNS options (e.g. ndots:2)' },
  label: { alias: 'l', type: 'string', array: true, nargs: 1, default: [], describe: 'Set metadata on the container (KEY=VALUE)' },
  restart: { type: 'string', coerce: lastWins, describe: 'Restart policy: no, on-failure[:MAX], always, unless-stopped' },
  'stop-signal': { type: 'string', coerce: lastWins, describe: 'Signal to stop the container (default: the image\'s STOPSIGNAL, else SIGTERM)' },
  'stop-timeout': { type: 'number', coerce: lastWins, describe: 'Seconds to wait after the stop signal before SIGKILL (default 10)' },
  'health-cmd': { type: 'string', coerce: lastWins, describe: 'Command to check the container is healthy (run by its monitor)' },
  'health-interval': { type: 'string', coerce: lastWins, describe: 'Time between healthchecks (default 30s)' },
  'health-retries': { type: 'number', coerce: lastWins, describe: 'Failures in a row that make the container unhealthy (default 3)' },
  'health-start-period': { type: 'string', coerce: lastWins, describe: 'Time after the start when failures do not count (default 0s)' },
  'health-timeout': { type: 'string', coerce: lastWins, describe: 'Longest a healthcheck may take (default 30s)' },
  // --no-healthcheck negates --healthcheck.
  healthcheck: { type: 'boolean', default: true, describe: 'Run the image\'s HEALTHCHECK (--no-healthcheck: do not)' },
  init: { type: 'boolean', default: false, describe: 'Run a tiny init as PID 1 that forwards signals and reaps zombies' },
  volume: { alias: 'v', type: 'string', array: true, nargs: 1, default: [], describe: 'Mount a volume or host path: [SOURCE:]DEST[:ro|rw|z|Z|U|nocopy|...]' },
  mount: { type: 'string', array: true, nargs: 1, default: [], describe: 'Mount: type=bind|volume|tmpfs,source=..,destination=..[,readonly][,...]' },
  tmpfs: { type: 'string', array: true, nargs: 1, default: [], describe: 'Mount a tmpfs: DEST[:size=64m,mode=1777,...]' },
  'volumes-from': { type: 'string', array: true, nargs: 1, default: [], describe: 'Mount the volumes of another container: CONTAINER[:ro|rw]' },
  pod: { type: 'string', coerce: lastWins, describe: 'Run in this pod, sharing its network, IPC and UTS namespaces (new:NAME makes the pod)' },
  'pod-id-file': { type: 'string', coerce: lastWins, describe: 'Run in the pod whose id this file holds (as --pod)' },
  cidfile: { type: 'string', coerce: lastWins, describe: 'Write the container ID to this file (removed with the container)' },
  replace: { type: 'boolean', default: false, describe: 'Remove a container of the same --name first, running or not' },
  sdnotify: { type: 'string', coerce: lastWins, describe: 'Who tells systemd ($NOTIFY_SOCKET) the container is ready: conmon (husk, once it runs), container (its own sd_notify), healthy (its first passing healthcheck), ignore' },
  'conmon-pidfile': { type: 'string', coerce: lastWins, describe: 'Write the pid of the container\'s monitor (podman\'s conmon) to this file at each start' },
};

export const RUN_OPTIONS: Record<string, Options> = {
  ...CREATE_OPTIONS,
  ...PODMAN_RUN_ONLY_OPTIONS,
  detach: { alias: 'd', type: 'boolean', default: false, describe: 'Run the container in the background and print its ID' },
  'sig-proxy': { type: 'boolean', default: true, describe: 'Proxy received signals to the container' },
  'detach-keys': { type: 'string', coerce: lastWins, describe: 'Keys that detach from a -it session (default ctrl-p,ctrl-q; "" for none)' },
};

export interface CreateArgs extends ResourceArgs, PodmanCreateArgs {
  image: string;
  command?: string[];
  interactive: boolean;
  tty: boolean;
  rm: boolean;
  name?: string;
  env: string[];
  envFile: string[];
  entrypoint?: string;
  workdir?: string;
  user?: string;
  hostname?: string;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  securityOpt: string[];
  device?: string[];
  deviceCgroupRule?: string[];
  userns?: string;
  network?: string[];
  networkAlias?: string[];
  ip?: string;
  macAddress?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  addHost?: string[];
  /** false: --no-hosts. */
  hosts?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  label: string[];
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  init: boolean;
  healthCmd?: string;
  healthInterval?: string;
  healthRetries?: number;
  healthStartPeriod?: string;
  healthTimeout?: string;
  healthcheck?: boolean;
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  volumesFrom?: string[];
  pod?: string;
  podIdFile?: string;
  cidfile?: string;
  replace?: boolean;
  sdnotify?: string;
  conmonPidfile?: string;
}

/** --env-file entries, then -e ones (later wins), as run, create and exec take them. */
export function envEntries(env: string[], envFiles: string[]): string[] {
  return [...envFiles.flatMap(parseEnvFile), ...env.map((e) => envEntry(e, '--env'))].filter(Boolean);
}

/** Lines of KEY=VALUE; # comments and blank lines skipped; a bare KEY takes the host value. */
export function parseEnvFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--env-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return text.split('\n').flatMap((line, n) => {
    const l = line.replace(/\r$/, '').trimStart();
    if (!l.trim() || l.startsWith('#')) return [];
    return [envEntry(l, `--env-file ${file} line ${n + 1}`)];
  });
}

function envEntry(entry: string, where: string): string {
  const eq = entry.indexOf('=');
  const key = eq < 0 ? entry : entry.slice(0, eq);
  if (!key || /\s/.test(key)) throw new UsageError(`${where}: invalid environment variable "${entry}": expected KEY=VALUE`);
  if (eq >= 0) return entry;
  const host = process.env[key];
  return host === undefined ? '' : `${key}=${host}`;
}

/** `rootless` decides what the default network (private) is: pasta rootless, the default user network as root. */
export function toCreateOptions(a: CreateArgs, rootless: boolean): CreateOptions {
  const network = networkOptions(a, rootless);
  const userns = parseUserns(a.userns);
  const env = [...hostEnv(a), ...envEntries(a.env, a.envFile)];
  const podman = { ...podmanCreateOptions(a), ...(userns.keepIdAs ? { keepIdAs: userns.keepIdAs } : {}) };
  const { warnings, ...limits } = resourceOptions(a);
  for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
  return {
    image: a.image,
    command: a.command ?? [],
    name: a.name,
    entrypoint: parseEntrypoint(a.entrypoint),
    env,
    workdir: checkedWorkdir(a.workdir),
    user: a.user,
    hostname: a.hostname,
    capAdd: a.capAdd,
    capDrop: a.capDrop,
    privileged: a.privileged,
    readOnly: a.readOnly,
    security: parseSecurityOpts(a.securityOpt),
    devices: a.device ?? [],
    deviceCgroupRules: a.deviceCgroupRule ?? [],
    keepId: userns.keepId,
    network,
    tty: a.tty,
    interactive: a.interactive,
    autoRemove: a.rm,
    labels: withUnitLabel(parseLabels([...labelFileEntries(a.labelFile), ...(a.label ?? [])])),
    restartPolicy: parseRestartPolicy(a.restart, a.rm),
    stopSignal: a.stopSignal === undefined ? undefined : checkedSignal(a.stopSignal),
    stopTimeout: checkedStopTimeout(a.stopTimeout),
    init: a.init,
    health: parseHealthFlags(a),
    ...mountOptions(a),
    ...limits,
    ...(a.cidfile !== undefined ? { cidFile: checkedPath(a.cidfile, '--cidfile') } : {}),
    ...(a.replace ? { replace: true } : {}),
    ...(a.conmonPidfile !== undefined ? { monitorPidFile: checkedPath(a.conmonPidfile, '--conmon-pidfile') } : {}),
    sdNotify: parseSdNotify(a.sdnotify, process.env.NOTIFY_SOCKET),
    podman,
  };
}

/**
 * Made inside a unit husk generated (its Environment=PODMAN_SYSTEMD_UNIT=%n):
 * the container is labelled with the unit, which auto-update restarts.
 * podman's label, under podman's name.
 */
export function withUnitLabel(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  const unit = process.env.PODMAN_SYSTEMD_UNIT;
  return unit ? { PODMAN_SYSTEMD_UNIT: unit, ...labels } : labels;
}

/** --cidfile/--pod-id-file of stop, rm, pod start...: the id in the file (its first line). Undefined when it is missing and `missingOk`. */
export function readIdFile(file: string, flag: string, missingOk = false): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && missingOk) return undefined;
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const id = text.split('\n')[0]!.trim();
  if (!id) throw new UsageError(`${flag} ${file}: the file is empty`);
  return id;
}

/**
 * The names given plus the ids in --cidfile files (stop, rm): with --ignore a
 * missing file names nothing, as a unit's ExecStopPost needs after a
 * failed start.
 */
export function namesAndIdFiles(names: string[] | undefined, files: string[] | undefined, flag: string, ignore: boolean): string[] {
  return [...(names ?? []), ...(files ?? []).flatMap((f) => readIdFile(f, flag, ignore) ?? [])];
}

/** --pod, or the pod --pod-id-file names. */
export function podOf(a: Pick<CreateArgs, 'pod' | 'podIdFile'>): string | undefined {
  if (a.pod !== undefined && a.podIdFile !== undefined) throw new UsageError('--pod and --pod-id-file cannot be used together');
  return a.pod ?? (a.podIdFile === undefined ? undefined : readIdFile(a.podIdFile, '--pod-id-file'));
}

function checkedPath(value: string, flag: string): string {
  if (!value) throw new UsageError(`${flag} needs a file name`);
  return value;
}

/** -p, -P, --expose, --network and its companions, --add-host, --no-hosts, --dns*: the record's network config. */
export function networkOptions(a: CreateArgs, rootless: boolean): ContainerNetworkConfig {
  return parseNetworkConfig({
    network: a.network ?? [],
    networkAlias: a.networkAlias ?? [],
    ip: ipOf(a),
    mac: a.macAddress,
    rootless,
    publish: a.publish ?? [],
    publishAll: a.publishAll ?? false,
    expose: a.expose ?? [],
    addHost: a.addHost ?? [],
    noHosts: a.hosts === false,
    dns: a.dns ?? [],
    dnsSearch: a.dnsSearch ?? [],
    dnsOptions: a.dnsOption ?? [],
  });
}

/** --health-* (null for --no-healthcheck): what the flags set, to go over the image's HEALTHCHECK. */
export function parseHealthFlags(a: Pick<CreateArgs, 'healthCmd' | 'healthInterval' | 'healthRetries' | 'healthStartPeriod' | 'healthTimeout' | 'healthcheck'>): Partial<HealthConfig> | null | undefined {
  if (a.healthcheck === false) {
    if (a.healthCmd !== undefined) throw new UsageError('--no-healthcheck and --health-cmd cannot be used together');
    return null;
  }
  const time = (value: string | undefined, flag: string) => {
    if (value === undefined) return undefined;
    const ms = parseDuration(value, 's');
    if (ms === undefined || ms < 0) throw new UsageError(`invalid ${flag} "${value}": use a duration such as 30s or 1m30s`);
    return ms;
  };
  const flags: Partial<HealthConfig> = {
    test: a.healthCmd === undefined ? undefined : a.healthCmd === 'none' ? ['NONE'] : ['CMD-SHELL', a.healthCmd],
    intervalMs: time(a.healthInterval, '--health-interval'),
    timeoutMs: time(a.healthTimeout, '--health-timeout'),
    startPeriodMs: time(a.healthStartPeriod, '--health-start-period'),
    retries: a.healthRetries,
  };
  if (flags.intervalMs === 0) throw new UsageError('invalid --health-interval "0": the interval must be more than 0');
  if (flags.retries !== undefined && (!Number.isInteger(flags.retries) || flags.retries < 1)) throw new UsageError(`invalid --health-retries "${a.healthRetries}": give 1 or more`);
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as Partial<HealthConfig>;
  return Object.keys(given).length ? given : undefined;
}

/** --label KEY=VALUE (a bare KEY gets an empty value, as docker). */
export function parseLabels(items: string[]): Record<string, string> | undefined {
  if (items.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!key.trim()) throw new UsageError(`invalid --label "${item}": expected KEY=VALUE`);
    labels[key] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return labels;
}

function checkedSignal(text: string): string {
  parseSignal(text);
  return text;
}

/** -w: a path inside the container, absolute as docker requires (a relative one would be taken from / silently). */
export function checkedWorkdir(value: string | undefined): string | undefined {
  if (value !== undefined && !value.startsWith('/')) throw new UsageError(`invalid --workdir "${value}": must be an absolute path`);
  return value;
}

function checkedStopTimeout(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`invalid --stop-timeout "${value}": give whole seconds, 0 or more`);
  return value;
}

/** --ip and --ip6: husk's user networks take one address, of either family. */
function ipOf(a: Pick<CreateArgs, 'ip' | 'ip6'>): string | undefined {
  if (a.ip !== undefined && a.ip6 !== undefined) throw new UsageError('--ip and --ip6 cannot be used together: a container has one address on a husk network');
  if (a.ip6 !== undefined && !a.ip6.includes(':')) throw new UsageError(`invalid --ip6 "${a.ip6}": not an IPv6 address`);
  return a.ip ?? a.ip6;
}
