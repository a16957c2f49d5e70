// podman's flags of run and create beyond docker's: each works, or is
// ignored or refused with its reason (lib/cli/compat.ts), so a script
// written for podman either runs unchanged or says why it cannot.
import fs from 'node:fs';
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.js';
import type { PodmanCreateOptions } from '../engine/create.js';
import { checkPlatform, timezoneFile, type PullOptions } from '../engine/create-extras.js';
import { parseBytes } from '../engine/limits.js';
import { parseSecretFlag } from '../engine/secrets.js';
import { ignoredFlag, refusedFlag } from './compat.js';
import { many, lastWins } from './common.js';
import { accessFrom, REGISTRY_OPTIONS } from './registry-options.js';

const one = (describe: string, type: 'string' | 'number' = 'string'): Options => ({ type, coerce: lastWins, describe });
const flag = (describe: string, dflt?: boolean): Options => ({ type: 'boolean', ...(dflt === undefined ? {} : { default: dflt }), describe });

const NO_ID_MAPS = 'husk maps IDs itself: a rootless container gets its user\'s subordinate range (see --userns), a root one no user namespace';
const NO_STARTUP_CHECKS = 'startup healthchecks are not implemented; use --health-start-period';

export const PODMAN_CREATE_OPTIONS: Record<string, Options> = {
  ...REGISTRY_OPTIONS,
  annotation: many('Add an annotation to the container\'s OCI config (KEY=VALUE)'),
  arch: one('Pull the image for this architecture (e.g. arm64) instead of the host\'s'),
  os: one('Pull the image for this operating system (linux)'),
  variant: one('Pull the image for this architecture variant (e.g. v8)'),
  platform: one('Pull the image for this platform: OS/ARCH[/VARIANT]'),
  attach: { alias: 'a', ...many('Attach to STDIN, STDOUT or STDERR only (repeatable)') },
  'cgroup-conf': refusedFlag('cgroup-conf', 'string', 'husk sets only the cgroup files of its resource flags (--memory, --cpus, ...)', { array: true, nargs: 1 }),
  chrootdirs: refusedFlag('chrootdirs', 'string', 'husk mounts /etc/hosts, /etc/hostname and /etc/resolv.conf into the container\'s root only', { array: true, nargs: 1 }),
  'cpu-rt-period': ignoredFlag('cpu-rt-period', 'number', 'cgroup v2 has no real-time CPU controller (podman ignores it there too)'),
  'cpu-rt-runtime': ignoredFlag('cpu-rt-runtime', 'number', 'cgroup v2 has no real-time CPU controller (podman ignores it there too)'),
  'decryption-key': refusedFlag('decryption-key', 'string', 'husk does not pull encrypted images', { array: true, nargs: 1 }),
  'disable-content-trust': ignoredFlag('disable-content-trust', 'boolean', 'Docker Content Trust does not exist here (podman ignores it too)'),
  'env-host': flag('Start from all of husk\'s own environment variables'),
  'env-merge': many('Extend an image variable: NAME=VALUE with ${NAME} standing for the image\'s value'),
  uidmap: refusedFlag('uidmap', 'string', NO_ID_MAPS, { array: true, nargs: 1 }),
  gidmap: refusedFlag('gidmap', 'string', NO_ID_MAPS, { array: true, nargs: 1 }),
  subuidname: refusedFlag('subuidname', 'string', NO_ID_MAPS),
  subgidname: refusedFlag('subgidname', 'string', NO_ID_MAPS),
  gpus: refusedFlag('gpus', 'string', 'husk has no GPU support (no CDI devices); pass device nodes with --device', { array: true, nargs: 1 }),
  'group-add': many('More groups for the container\'s process: GID or a group of the image\'s /etc/group'),
  'group-entry': one('The line added to the container\'s /etc/group ($GROUPNAME, $GID stand for the user\'s)'),
  'passwd-entry': one('The line added to the container\'s /etc/passwd ($USERNAME, $UID, $GID, $NAME, $HOME stand for the user\'s)'),
  passwd: flag('Add the container\'s user to its /etc/passwd when missing (--passwd=false: never)', true),
  hostuser: many('Add a user of the host, by name or UID, to the container\'s /etc/passwd'),
  'health-on-failure': one('What an unhealthy container gets: none (default)'),
  'health-log-destination': ignoredFlag('health-log-destination', 'string', 'husk keeps the healthcheck results in the container\'s own state'),
  'health-max-log-count': ignoredFlag('health-max-log-count', 'number', 'husk keeps the last results of the healthcheck in the container\'s own state'),
  'health-max-log-size': ignoredFlag('health-max-log-size', 'number', 'husk keeps the last results of the healthcheck in the container\'s own state'),
  'health-startup-cmd': refusedFlag('health-startup-cmd', 'string', NO_STARTUP_CHECKS),
  'health-startup-interval': refusedFlag('health-startup-interval', 'string', NO_STARTUP_CHECKS),
  'health-startup-retries': refusedFlag('health-startup-retries', 'number', NO_STARTUP_CHECKS),
  'health-startup-success': refusedFlag('health-startup-success', 'number', NO_STARTUP_CHECKS),
  'health-startup-timeout': refusedFlag('health-startup-timeout', 'string', NO_STARTUP_CHECKS),
  'hosts-file': refusedFlag('hosts-file', 'string', 'husk writes /etc/hosts from the host\'s; --no-hosts keeps the image\'s'),
  'http-proxy': flag('Pass husk\'s http_proxy, https_proxy, ftp_proxy and no_proxy variables on (--http-proxy=false: do not)', true),
  'image-volume': one('What the image\'s VOLUMEs become: anonymous volumes (bind, the default), tmpfs, or nothing (ignore)'),
  'init-path': one('The init binary --init runs as PID 1 (default: husk\'s)'),
  ip6: one('IPv6 address of the container on its user network'),
  ipc: one('IPC namespace: private (the default; shareable is the same)'),
  pid: one('PID namespace: private (the default)'),
  uts: one('UTS namespace: private (the default)'),
  'label-file': many('Read labels from a file of KEY=VALUE lines'),
  'link-local-ip': refusedFlag('link-local-ip', 'string', 'husk\'s networks give no link-local addresses', { array: true, nargs: 1 }),
  'log-driver': one('Where the output goes: k8s-file (the default; json-file is the same here), none'),
  'log-opt': many('Log driver option: path=FILE, max-size=SIZE (checked, not enforced), tag=TAG (accepted)'),
  'no-hostname': flag('Do not write the container\'s /etc/hostname (keep the image\'s)'),
  personality: refusedFlag('personality', 'string', 'husk\'s runtime does not set an execution domain'),
  pidfile: one('Write the pid of the container\'s first process to this file'),
  pull: one('Pull the image: missing (default), always, newer, never'),
  quiet: { alias: 'q', ...flag('Do not print the pull\'s progress') },
  'rdt-class': refusedFlag('rdt-class', 'string', 'husk has no Intel RDT (resctrl) support'),
  'read-only-tmpfs': flag('With --read-only, mount tmpfs on /dev, /dev/shm, /run, /tmp and /var/tmp', true),
  requires: many('Containers that must be running first: run starts them (comma-separated)'),
  retry: ignoredFlag('retry', 'number', 'husk pulls once, trying each mirror'),
  'retry-delay': ignoredFlag('retry-delay', 'string', 'husk pulls once, trying each mirror'),
  rootfs: refusedFlag('rootfs', 'boolean', 'husk runs images of its store, not a host directory as the root filesystem'),
  'seccomp-policy': one('Seccomp policy: default (only that; "image" is not supported)'),
  secret: many('Give a secret (husk secret create) to the container: NAME[,type=mount|env][,target=PATH|VAR][,uid=,gid=,mode=]'),
  'shm-size-systemd': ignoredFlag('shm-size-systemd', 'string', 'husk\'s --systemd mode does not mount a /dev/shm of its own'),
  sysctl: refusedFlag('sysctl', 'string', 'husk\'s runtime does not set namespaced sysctls', { array: true, nargs: 1 }),
  systemd: one('Run in systemd mode: true (when the command is systemd or /sbin/init, the default), false, always'),
  timeout: one('Kill the container after this many seconds (a foreground run only)', 'number'),
  tz: one('Time zone of the container: local, or an Area/City of the host\'s zoneinfo'),
  umask: one('The umask of the container\'s process (default 0022)'),
  unsetenv: many('Remove a variable the image or husk would set'),
  'unsetenv-all': flag('Remove every variable the image and husk set (keep only --env ones)'),
};

export const PODMAN_CREATE_ONLY_OPTIONS: Record<string, Options> = {
  'init-ctr': refusedFlag('init-ctr', 'string', 'pods have no init containers in husk'),
};

export const PODMAN_RUN_ONLY_OPTIONS: Record<string, Options> = {
  rmi: flag('Remove the image once the container is removed (with --rm)'),
  'preserve-fds': one('Pass file descriptors 3 to 2+N of husk\'s on to the container\'s process', 'number'),
  'preserve-fd': refusedFlag('preserve-fd', 'string', 'husk passes a range of file descriptors: --preserve-fds N for 3 to 2+N', { array: true, nargs: 1 }),
};

/** The flags above as parsed. */
export interface PodmanCreateArgs {
  tlsVerify?: boolean;
  certDir?: string;
  creds?: string;
  authfile?: string;
  annotation?: string[];
  arch?: string;
  os?: string;
  variant?: string;
  platform?: string;
  attach?: string[];
  envHost?: boolean;
  envMerge?: string[];
  groupAdd?: string[];
  groupEntry?: string;
  passwdEntry?: string;
  passwd?: boolean;
  hostuser?: string[];
  healthOnFailure?: string;
  httpProxy?: boolean;
  imageVolume?: string;
  initPath?: string;
  ip6?: string;
  ipc?: string;
  pid?: string;
  uts?: string;
  labelFile?: string[];
  logDriver?: string;
  logOpt?: string[];
  noHostname?: boolean;
  pidfile?: string;
  pull?: string;
  quiet?: boolean;
  readOnlyTmpfs?: boolean;
  requires?: string[];
  seccompPolicy?: string;
  secret?: string[];
  systemd?: string;
  timeout?: number;
  tz?: string;
  umask?: string;
  unsetenv?: string[];
  unsetenvAll?: boolean;
  rmi?: boolean;
  preserveFds?: number;
}

/** husk has no conmon that outlives the command to time the container. */
export const TIMEOUT_NEEDS_SESSION = '--timeout is supported only by a foreground run: husk\'s monitor does not time containers';

const PROXY_VARS = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY'];

/**
 * The variables podman starts from, before --env-file and -e: all of
 * husk's own with --env-host, the proxy ones unless --http-proxy=false.
 */
export function hostEnv(a: Pick<PodmanCreateArgs, 'envHost' | 'httpProxy'>): string[] {
  const names = a.envHost ? Object.keys(process.env) : a.httpProxy === false ? [] : PROXY_VARS;
  return names.filter((n) => process.env[n] !== undefined && n !== '').map((n) => `${n}=${process.env[n]}`);
}

/** --entrypoint: podman reads a JSON array as the whole entrypoint ('["/bin/sh","-c"]'), anything else as one word. */
export function parseEntrypoint(value: string | undefined): string | string[] | undefined {
  if (value === undefined || !value.trimStart().startsWith('[')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value;
  }
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) throw new UsageError(`invalid --entrypoint ${value}: a JSON entrypoint is an array of strings`);
  return parsed as string[];
}

export interface UsernsChoice {
  keepId: boolean;
  keepIdAs?: { uid?: number; gid?: number };
}

/** --userns: "" and host are husk's default; keep-id[:uid=N,gid=N] works rootless; the others are refused with their reason. */
export function parseUserns(value: string | undefined): UsernsChoice {
  if (value === undefined || value === '' || value === 'host') return { keepId: false };
  if (value === 'keep-id' || value.startsWith('keep-id:')) {
    const as: { uid?: number; gid?: number } = {};
    for (const opt of value === 'keep-id' ? [] : value.slice('keep-id:'.length).split(',')) {
      const m = /^(uid|gid)=(\d+)$/.exec(opt);
      if (!m) throw new UsageError(`invalid --userns "${value}": keep-id takes uid=N and gid=N`);
      as[m[1] as 'uid' | 'gid'] = Number(m[2]);
    }
    return { keepId: true, ...(Object.keys(as).length ? { keepIdAs: as } : {}) };
  }
  const kind = value.split(':')[0]!;
  const why: Record<string, string> = {
    auto: 'husk gives each user one subordinate ID range, not a range per container',
    nomap: 'the image\'s files belong to the user\'s own ID, which nomap leaves out',
    private: 'rootless, every container has its user\'s user namespace already; as root husk uses none',
    ns: 'husk does not join user namespaces it did not make',
    container: 'husk does not join another container\'s user namespace',
  };
  if (why[kind]) throw new UsageError(`--userns=${value} is not supported: ${why[kind]}`);
  throw new UsageError(`invalid --userns "${value}": use host, keep-id or keep-id:uid=N,gid=N`);
}

/** --ipc, --pid, --uts: private is all husk does (each container its own, pods sharing theirs). */
export function checkNamespaceFlag(flag: 'ipc' | 'pid' | 'uts', value: string | undefined): void {
  if (value === undefined || value === '' || value === 'private' || (flag === 'ipc' && value === 'shareable')) return;
  throw new UsageError(`--${flag}=${value} is not supported: husk gives every container its own ${flag.toUpperCase()} namespace (private), or its pod's`);
}

const PULL_POLICIES = ['always', 'missing', 'never', 'newer'];

/** --pull and its companions as the create's pull options. */
export function pullChoice(a: PodmanCreateArgs): Pick<PodmanCreateOptions, 'pull' | 'pullOptions'> {
  let pull = a.pull;
  if (pull === 'true') pull = 'always'; // podman's --pull=true/false spellings
  if (pull === 'false') pull = 'missing';
  if (pull !== undefined && !PULL_POLICIES.includes(pull)) throw new UsageError(`unsupported pull policy "${a.pull}": use always, missing, newer or never`);
  if (a.platform !== undefined && (a.arch !== undefined || a.os !== undefined || a.variant !== undefined)) {
    throw new UsageError('--platform and --arch, --os or --variant cannot be used together');
  }
  const platform = a.platform ?? (a.arch !== undefined || a.os !== undefined || a.variant !== undefined
    ? [a.os ?? 'linux', a.arch ?? hostArch(), ...(a.variant ? [a.variant] : [])].join('/')
    : undefined);
  checkPlatform(platform);
  const access = Object.fromEntries(Object.entries(accessFrom(a)).filter(([, v]) => v !== undefined));
  const pullOptions: PullOptions = {
    ...access,
    ...(platform ? { platform } : {}),
    ...(a.quiet ? { progress: () => {} } : {}),
  };
  return { ...(pull ? { pull: pull as PodmanCreateOptions['pull'] } : {}), ...(Object.keys(pullOptions).length ? { pullOptions } : {}) };
}

function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** --log-driver and --log-opt: husk's one format (k8s-file; json-file is accepted as it), or none. */
export function logChoice(a: Pick<PodmanCreateArgs, 'logDriver' | 'logOpt'>): Pick<PodmanCreateOptions, 'logDriver' | 'logPath'> {
  const driver = a.logDriver ?? 'k8s-file';
  if (driver === 'journald' || driver === 'passthrough' || driver === 'passthrough-tty') {
    throw new UsageError(`--log-driver ${driver} is not supported: husk's monitor keeps the output in a file (k8s-file) or nowhere (none)`);
  }
  if (!['k8s-file', 'json-file', 'none'].includes(driver)) throw new UsageError(`invalid --log-driver "${driver}": use k8s-file, json-file or none`);
  let logPath: string | undefined;
  for (const o of a.logOpt ?? []) {
    const eq = o.indexOf('=');
    const [key, value] = eq < 0 ? [o, ''] : [o.slice(0, eq), o.slice(eq + 1)];
    if (key === 'path') {
      if (!value.startsWith('/')) throw new UsageError(`invalid --log-opt "${o}": path must be absolute`);
      logPath = value;
    } else if (key === 'max-size') {
      parseBytes(value, '--log-opt max-size');
      process.stderr.write(`WARN: --log-opt max-size is not enforced: husk's monitor does not rotate logs\n`);
    } else if (key !== 'tag' && key !== 'label') {
      throw new UsageError(`invalid --log-opt "${o}": use path=FILE, max-size=SIZE or tag=TAG`);
    }
  }
  return { ...(driver === 'none' ? { logDriver: 'none' as const } : {}), ...(logPath ? { logPath } : {}) };
}

/** -a/--attach: stdin, stdout, stderr (any case, as podman). */
export function attachStreams(values: string[] | undefined): Set<'stdin' | 'stdout' | 'stderr'> | undefined {
  if (!values?.length) return undefined;
  const streams = new Set<'stdin' | 'stdout' | 'stderr'>();
  for (const v of values.flatMap((x) => x.split(','))) {
    const s = v.toLowerCase();
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr') throw new UsageError(`invalid --attach "${v}": use stdin, stdout or stderr`);
    streams.add(s);
  }
  return streams;
}

/** The rest of podman's flags, checked, as the engine takes them. */
export function podmanCreateOptions(a: PodmanCreateArgs): PodmanCreateOptions {
  for (const ns of ['ipc', 'pid', 'uts'] as const) checkNamespaceFlag(ns, a[ns]);
  if (a.seccompPolicy !== undefined && a.seccompPolicy !== 'default') throw new UsageError(`--seccomp-policy=${a.seccompPolicy} is not supported: husk applies its default profile or --security-opt seccomp=`);
  if (a.healthOnFailure !== undefined && a.healthOnFailure !== 'none') throw new UsageError(`--health-on-failure=${a.healthOnFailure} is not supported: husk's monitor only records an unhealthy state (none)`);
  if (a.systemd !== undefined && !['true', 'false', 'always'].includes(a.systemd)) throw new UsageError(`invalid --systemd "${a.systemd}": use true, false or always`);
  if (a.imageVolume !== undefined && !['bind', 'tmpfs', 'ignore', 'anonymous'].includes(a.imageVolume)) throw new UsageError(`invalid --image-volume "${a.imageVolume}": use bind, tmpfs or ignore`);
  if (a.timeout !== undefined && (!Number.isInteger(a.timeout) || a.timeout < 0)) throw new UsageError(`invalid --timeout "${a.timeout}": give whole seconds`);
  const umask = a.umask === undefined ? undefined : parseUmask(a.umask);
  return {
    ...pullChoice(a),
    ...logChoice(a),
    ...(a.annotation?.length ? { annotations: keyValues(a.annotation, '--annotation') } : {}),
    ...(a.envMerge?.length ? { envMerge: a.envMerge } : {}),
    ...(a.unsetenv?.length ? { unsetEnv: a.unsetenv } : {}),
    ...(a.unsetenvAll ? { unsetEnvAll: true } : {}),
    ...(a.groupAdd?.length ? { groupAdd: a.groupAdd.flatMap((g) => g.split(',')) } : {}),
    ...(umask !== undefined ? { umask } : {}),
    ...(a.tz !== undefined ? { tzFile: timezoneFile(a.tz) } : {}),
    ...(a.passwd === false ? { passwd: false } : {}),
    ...(a.passwdEntry !== undefined ? { passwdEntry: a.passwdEntry } : {}),
    ...(a.groupEntry !== undefined ? { groupEntry: a.groupEntry } : {}),
    ...(a.hostuser?.length ? { hostUsers: a.hostuser } : {}),
    ...(a.imageVolume === 'tmpfs' || a.imageVolume === 'ignore' ? { imageVolume: a.imageVolume } : {}),
    ...(a.initPath !== undefined ? { initPath: checkedInitPath(a.initPath) } : {}),
    ...(a.noHostname ? { noHostname: true } : {}),
    ...(a.pidfile !== undefined ? { pidFile: a.pidfile } : {}),
    ...(a.readOnlyTmpfs !== false ? { readOnlyTmpfs: true } : {}),
    ...(a.systemd !== undefined ? { systemd: a.systemd as PodmanCreateOptions['systemd'] } : {}),
    ...(a.secret?.length ? { secrets: a.secret.map(parseSecretFlag) } : {}),
  };
}

function parseUmask(value: string): number {
  if (!/^[0-7]{1,4}$/.test(value)) throw new UsageError(`invalid --umask "${value}": give an octal mask such as 0022`);
  return parseInt(value, 8);
}

function checkedInitPath(p: string): string {
  if (!p.startsWith('/') || !fs.existsSync(p)) throw new UsageError(`invalid --init-path "${p}": give the absolute path of an existing file`);
  return p;
}

function keyValues(items: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid ${flag} "${item}": expected KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** --label-file: KEY=VALUE lines (# comments and blank lines skipped). */
export function labelFileEntries(files: string[] | undefined): string[] {
  return (files ?? []).flatMap((file) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--label-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  });
}
