// Turns an image config plus `run` options into the OCI runtime spec that
// the native runtime executes (config.json in the container's bundle).
import type { UserNamespace } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { ImageRuntimeConfig } from '../image/types.js';
import { resolveCapabilities } from './capabilities.js';
import type { Device, IdMapping, Mount, Namespace, Spec } from '../core/oci-spec.js';
import { deviceRules, parseDevice, parseDeviceCgroupRule } from './devices.js';
import { defaultSeccomp, loadSeccompProfile } from './seccomp.js';
import { resolveGroups, resolveUser } from './user.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SecurityOptions {
  seccomp: 'default' | 'unconfined' | { file: string };
  noNewPrivileges: boolean;
}

export interface SpecInput {
  image: ImageRuntimeConfig;
  /** Image layer directories, topmost first (to read /etc/passwd and /etc/group). */
  layerDirsTopFirst: string[];
  command: string[];
  /** "" clears the image's; a list is podman's JSON form. */
  entrypoint?: string | string[];
  env: string[]; // KEY=VALUE, in order of precedence (later wins)
  /** --env-merge NAME=VALUE: ${NAME} in VALUE is the image's value. */
  envMerge?: string[];
  /** --unsetenv: names removed from what the image and husk set; --unsetenv-all: all of it. */
  unsetEnv?: string[];
  unsetEnvAll?: boolean;
  /** --group-add: more groups, as GIDs or names of the image's /etc/group. */
  groupAdd?: string[];
  /** --umask (default 0o022). */
  umask?: number;
  workdir?: string;
  user?: string;
  hostname: string;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  security: SecurityOptions;
  network: 'private' | 'none' | 'host';
  tty: boolean;
  /** Rows and columns of the terminal the container starts with. */
  consoleSize?: { rows: number; cols: number };
  /** The rootless user namespace, or undefined when rootful. */
  userns?: UserNamespace;
  keepId?: { uid: number; gid: number };
  rootfs: string;
  /** Files bind-mounted over /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  /** Volumes, binds and tmpfs mounts the user asked for: mounted after (over) the defaults. */
  mounts?: Mount[];
  /** --device HOST[:CONTAINER][:PERMISSIONS]: host device nodes bound in and allowed. */
  devices?: string[];
  /** --device-cgroup-rule "c 1:11 rwm": more devices allowed (a devices cgroup is root's only). */
  deviceCgroupRules?: string[];
  /** The container's own cgroup (linux.cgroupsPath), where its devices are confined: root only. */
  cgroupsPath?: string;
}

export function processArgs(image: ImageRuntimeConfig, command: string[], entrypoint?: string | string[]): string[] {
  // An --entrypoint replaces the image's and drops its CMD, as docker does.
  const ep = entrypoint !== undefined ? (Array.isArray(entrypoint) ? entrypoint : entrypoint === '' ? [] : [entrypoint]) : image.Entrypoint ?? [];
  const cmd = command.length > 0 ? command : entrypoint !== undefined ? [] : image.Cmd ?? [];
  const args = [...ep, ...cmd];
  if (args.length === 0) throw new UsageError('no command specified: the image has no CMD or ENTRYPOINT; give one after the image name');
  return args;
}

const envName = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);

/** --env-merge 'PATH=/x:${PATH}': ${NAME} is the value the image (or husk) gives NAME, empty without one. */
export function mergedEnv(merges: string[], base: string[]): string[] {
  const values = new Map(base.map((e) => [envName(e), e.slice(envName(e).length + 1)]));
  return merges.map((m) => {
    if (!m.includes('=')) throw new UsageError(`invalid --env-merge "${m}": expected NAME=VALUE`);
    return m.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => values.get(name) ?? '');
  });
}

export function mergeEnv(...lists: string[][]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) {
    for (const e of list) {
      const eq = e.indexOf('=');
      const key = eq < 0 ? e : e.slice(0, eq);
      map.set(key, e);
    }
  }
  return [...map.values()];
}

const DEVICES: Array<[string, number, number]> = [
  ['/dev/null', 1, 3], ['/dev/zero', 1, 5], ['/dev/full', 1, 7],
  ['/dev/random', 1, 8], ['/dev/urandom', 1, 9], ['/dev/tty', 5, 0],
];

const MASKED_PATHS = [
  '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
  '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/fs/selinux', '/sys/dev/block', '/sys/devices/virtual/powercap',
];

const READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function mapsId(maps: IdMapping[] | undefined, id: number): boolean {
  return !maps || maps.some((m) => id >= m.containerID && id < m.containerID + m.size);
}

/** podman's keep-id: the user's own id appears as itself inside, the rest of the range around it. */
export function keepIdMappings(own: number, maps: IdMapping[]): IdMapping[] {
  const sub = maps.find((m) => m.containerID === 1);
  if (!sub) return [{ containerID: own, hostID: maps[0]!.hostID, size: 1 }];
  const below = Math.min(own, sub.size);
  const out: IdMapping[] = [];
  if (below > 0) out.push({ containerID: 0, hostID: sub.hostID, size: below });
  out.push({ containerID: own, hostID: maps[0]!.hostID, size: 1 });
  if (sub.size > below) out.push({ containerID: own + 1, hostID: sub.hostID + below, size: sub.size - below });
  return out;
}

export function buildSpec(input: SpecInput): Spec {
  const capabilities = resolveCapabilities(input.capAdd, input.capDrop, input.privileged);
  const uidMappings = input.userns && (input.keepId ? keepIdMappings(input.keepId.uid, input.userns.uidMappings) : input.userns.uidMappings);
  const gidMappings = input.userns && (input.keepId ? keepIdMappings(input.keepId.gid, input.userns.gidMappings) : input.userns.gidMappings);

  const userSpec = input.user ?? (input.keepId ? `${input.keepId.uid}:${input.keepId.gid}` : input.image.User) ?? '';
  const user = userSpec ? resolveUser(userSpec, input.layerDirsTopFirst) : { uid: 0, gid: 0, additionalGids: [], home: '/root' };
  if (!mapsId(uidMappings, user.uid) || !mapsId(gidMappings, user.gid)) {
    throw new UsageError(`user ${userSpec} (uid ${user.uid}, gid ${user.gid}) is not mapped into the container's user namespace`);
  }
  // Non-root processes get capabilities only when asked for, as podman gives them.
  const processCaps = user.uid === 0 ? capabilities : capabilities.filter((c) => input.capAdd.some((a) => `CAP_${a.toUpperCase().replace(/^CAP_/, '')}` === c));

  const defaults = mergeEnv(
    [`PATH=${DEFAULT_PATH}`, 'container=husk'],
    input.tty ? ['TERM=xterm'] : [],
    [`HOSTNAME=${input.hostname}`, `HOME=${user.home}`],
    input.image.Env ?? [],
  );
  const kept = input.unsetEnvAll ? [] : defaults.filter((e) => !(input.unsetEnv ?? []).includes(envName(e)));
  const env = mergeEnv(kept, mergedEnv(input.envMerge ?? [], defaults), input.env);
  const additionalGids = [...user.additionalGids, ...resolveGroups(input.groupAdd ?? [], input.layerDirsTopFirst)];

  const namespaces: Namespace[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }];
  if (input.network !== 'host') namespaces.push({ type: 'network' });
  if (input.userns) namespaces.push({ type: 'user' });

  if (input.userns && input.deviceCgroupRules?.length) {
    throw new UsageError('--device-cgroup-rule needs a devices cgroup, which rootless containers do not get (nor can they make device nodes); use --device to pass a host device in');
  }
  const deviceRequests = (input.devices ?? []).map(parseDevice);
  const addedRules = [...deviceRequests.map((d) => d.rule), ...(input.deviceCgroupRules ?? []).map(parseDeviceCgroupRule)];

  let seccomp;
  if (!input.privileged && input.security.seccomp !== 'unconfined') {
    seccomp = input.security.seccomp === 'default' ? defaultSeccomp(capabilities) : loadSeccompProfile(input.security.seccomp.file, capabilities);
  }

  return {
    ociVersion: '1.2.0',
    process: {
      terminal: input.tty,
      consoleSize: input.tty && input.consoleSize ? { height: input.consoleSize.rows, width: input.consoleSize.cols } : undefined,
      user: { uid: user.uid, gid: user.gid, additionalGids: [...new Set(additionalGids)], umask: input.umask ?? 0o022 },
      args: processArgs(input.image, input.command, input.entrypoint),
      env,
      cwd: input.workdir || input.image.WorkingDir || '/',
      capabilities: {
        bounding: capabilities,
        effective: processCaps,
        permitted: processCaps,
        inheritable: user.uid === 0 ? [] : processCaps,
        ambient: user.uid === 0 ? [] : processCaps,
      },
      rlimits: [],
      noNewPrivileges: input.security.noNewPrivileges,
    },
    root: { path: input.rootfs, readonly: input.readOnly },
    hostname: input.hostname,
    mounts: [...defaultMounts(input, gidMappings), ...deviceRequests.map((d) => d.mount), ...(input.mounts ?? [])],
    linux: {
      namespaces,
      uidMappings,
      gidMappings,
      devices: DEVICES.map(([path, major, minor]): Device => ({ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 })),
      maskedPaths: input.privileged ? [] : MASKED_PATHS,
      readonlyPaths: input.privileged ? [] : READONLY_PATHS,
      seccomp,
      rootfsPropagation: 'rprivate',
      cgroupsPath: input.cgroupsPath,
      // Enforced where cgroupsPath is set (lib/runtime/cgroups.ts); rootless, the user namespace keeps devices shut.
      resources: { devices: deviceRules(input.privileged, addedRules) },
    },
  };
}

function defaultMounts(input: SpecInput, gidMappings: IdMapping[] | undefined): Mount[] {
  const sysOptions = ['nosuid', 'noexec', 'nodev', input.privileged ? 'rw' : 'ro'];
  // sysfs can only be mounted by a user namespace that owns the network namespace.
  const sys: Mount = input.userns && input.network === 'host'
    ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', ...sysOptions] }
    : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOptions };
  const ptsOptions = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'];
  if (mapsId(gidMappings, 5)) ptsOptions.push('gid=5'); // the tty group, when it exists inside
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ptsOptions },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    sys,
    { destination: '/etc/hosts', type: 'bind', source: input.etcFiles.hosts, options: ['bind', 'rprivate'] },
    { destination: '/etc/hostname', type: 'bind', source: input.etcFiles.hostname, options: ['bind', 'rprivate'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: input.etcFiles.resolvConf, options: ['bind', 'rprivate'] },
  ];
}
