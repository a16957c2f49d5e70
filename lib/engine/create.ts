// Creating a container: its record, bundle and files, then the native
// create, which leaves the init waiting for its start.
import fs from 'node:fs';
import path from 'node:path';
import { pullMissing } from '../image/pull.js';
import { ImageStore } from '../image/store.js';
import { healthConfig } from './health.js';
import { ContainerStore, procStartTime, type BuilderMark, type HealthConfig, type ContainerRecord, type ContainerState, type ContainerView, type RestartPolicy, type SdNotify } from '../runtime/container-store.js';
import { initPath, monitorPath, packageRoot } from '../native/binding.js';
import { buildSpec, type SecurityOptions } from '../runtime/spec.js';
import { publishAllPorts } from '../network/ports.js';
import { checkPublishable, spawnWithNetwork } from './container-network.js';
import { cgroupsPathFor, containerFreezer, devicesConfined, setUpContainerCgroup } from '../runtime/container-cgroup.js';
import { hasLimits } from '../runtime/resources.js';
import { findDeviceNode } from '../runtime/devices.js';

export type { SecurityOptions };
import { ensureOwnedDir, mkdirPrivate, writeJsonAtomic } from '../storage/atomic.js';
import { chooseDriver, lowerLinks, rootfsPlan } from '../storage/driver.js';
import { mergeLayers } from '../native/userns-helper.js';
import { shiftForKeepId } from '../runtime/keep-id.js';
import { fnv1a } from '../core/hash.js';
import { randomHex } from '../core/random.js';
import { trace } from '../core/trace.js';
import type { Context } from '../core/context.js';
import type { Resources, Rlimit, Spec } from '../core/oci-spec.js';
import type { ContainerNetworkConfig, NetworkMode } from '../core/network.js';
import { NetworkStore } from '../network/store.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { cleanDestination, planMounts, prepareMounts, undoMounts, type MountRequest, type VolumesFrom } from './mounts.js';
import { generateName, NAME_PATTERN } from './names.js';
import { removeContainer, removeContainerFiles } from './remove.js';
import { withLockSync } from '../storage/lock.js';
import { containerEvent, dieEventPrefix, eventLogFile } from './events.js';
import type { PullOptions } from '../image/pull.js';
import { parsePlatform } from '../image/registry/manifest.js';
import type { SecretRequest } from './secrets.js';
import { passedFds } from './passed-fds.js';
import { isSystemdCommand, withContainerEnv, withReadOnlyTmpfs, withSecrets, withSystemdMode, withTimezone, withUserFiles, writeContainerEnv, writeSecretFiles, writeUserFiles } from './create-extras.js';

/** How long the init may take to get ready, and to exec once released. */
export const START_TIMEOUT_MS = 30_000;

export interface CreateOptions {
  image: string;
  command: string[];
  name?: string;
  /** "" clears the image's; a list is podman's JSON form (--entrypoint='["/bin/sh","-c"]'). */
  entrypoint?: string | string[];
  env: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  security: SecurityOptions;
  keepId: boolean;
  network: ContainerNetworkConfig;
  tty: boolean;
  consoleSize?: { rows: number; cols: number };
  interactive: boolean;
  autoRemove: boolean;
  restartPolicy?: RestartPolicy;
  labels?: Record<string, string>;
  /** --health-* given on the command line (merged over the image's HEALTHCHECK); null: --no-healthcheck. */
  health?: Partial<HealthConfig> | null;
  stopSignal?: string;
  stopTimeout?: number;
  /** Run husk's tiny init as PID 1 (--init). */
  init?: boolean;
  /** --device HOST[:CONTAINER][:PERMISSIONS]. */
  devices?: string[];
  /** --device-cgroup-rule "TYPE MAJOR:MINOR ACCESS" (root only). */
  deviceCgroupRules?: string[];
  /** -v, --mount, --tmpfs; --volumes-from. */
  mounts?: MountRequest[];
  /** Anonymous volumes to use again, by destination (compose keeps them when it recreates a container). */
  anonymousVolumes?: Record<string, string>;
  volumesFrom?: VolumesFrom[];
  /** The caller attaches right away (foreground run): hand it a connected client. */
  attach?: boolean;
  /** The caller starts it at once (run): the state gets its start time now, written once. */
  startNow?: boolean;
  /** run --preserve-fds: fds 3 .. 2+N of ours go to the container's process. */
  preserveFds?: number;
  /**
   * A build's RUN step: hidden from ps (but --external), without the
   * image's VOLUMEs and HEALTHCHECK; removed by the next build if the one
   * that made it died.
   */
  builder?: BuilderMark;
  /** --ulimit, parsed (lib/runtime/ulimits.ts). */
  rlimits?: Rlimit[];
  /** --memory, --cpus, --pids-limit, ... parsed (lib/runtime/resources.ts). */
  resources?: Resources;
  /** --oom-score-adj: -1000 (never killed first) to 1000. */
  oomScoreAdj?: number;
  /** --shm-size in bytes: /dev/shm's size (64 MiB without it, as docker). */
  shmSize?: number;
  /** --cgroups=disabled: no cgroup of its own (so no limits). */
  cgroups?: 'enabled' | 'disabled';
  /** --cgroupns=host: the host's cgroup namespace. */
  cgroupns?: 'private' | 'host';
  /** --cgroup-parent: the cgroup to make the container's in (instead of husk/). */
  cgroupParent?: string;
  /** --pod (resolved by preparePodMember()): the pod's id; `infra` for the pod's own infra container. */
  pod?: { id: string; infra?: boolean };
  /** The command line of run or create (process.argv from husk's path on), kept for `generate systemd --new`. */
  createCommand?: string[];
  /** --cidfile: write the new container's id there. */
  cidFile?: string;
  /** --replace: a container of the same --name is removed first (forcibly). */
  replace?: boolean;
  /** --sdnotify, with $NOTIFY_SOCKET. */
  sdNotify?: SdNotify;
  /** --conmon-pidfile: the monitor's pid goes there too, at each start. */
  monitorPidFile?: string;
  /** podman's flags beyond docker's (lib/cli/run-podman-options.ts). */
  podman?: PodmanCreateOptions;
}

export interface PodmanCreateOptions {
  /** --pull (missing without it), with the pull's own options (--platform, --creds, ...). */
  pull?: 'always' | 'missing' | 'never' | 'newer';
  pullOptions?: PullOptions;
  /** --userns=keep-id:uid=N,gid=N: the container's ids the user's own appear as. */
  keepIdAs?: { uid?: number; gid?: number };
  annotations?: Record<string, string>;
  envMerge?: string[];
  unsetEnv?: string[];
  unsetEnvAll?: boolean;
  groupAdd?: string[];
  umask?: number;
  /** --tz: the host's zone file, bound at /etc/localtime. */
  tzFile?: string;
  passwd?: boolean;
  passwdEntry?: string;
  groupEntry?: string;
  hostUsers?: string[];
  imageVolume?: 'bind' | 'tmpfs' | 'ignore';
  initPath?: string;
  noHostname?: boolean;
  pidFile?: string;
  readOnlyTmpfs?: boolean;
  systemd?: 'true' | 'false' | 'always';
  logDriver?: 'k8s-file' | 'none';
  logPath?: string;
  secrets?: SecretRequest[];
}

/** Where the container sees the socket of --sdnotify=container (podman's path). */
export const NOTIFY_SOCKET_IN_CONTAINER = '/run/notify/notify.sock';


export async function createContainer(ctx: Context, opts: CreateOptions): Promise<ContainerView> {
  trace('create: start');
  const images = new ImageStore(ctx);
  const image = await imageFor(ctx, images, opts.image, opts.podman ?? {});
  const pm = opts.podman ?? {};
  const imageConfig = images.imageConfig(image).config ?? {};
  const layerDirs = images.layerDirs(image);
  const store = new ContainerStore(ctx);
  if (opts.keepId && !ctx.rootless) throw new UsageError('--userns=keep-id is only supported when husk runs rootless');
  if (opts.name !== undefined && !NAME_PATTERN.test(opts.name)) {
    throw new UsageError(`invalid container name "${opts.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  if (opts.replace) await replaceNamed(ctx, opts.name);

  const imageVolumes = opts.builder || pm.imageVolume === 'ignore' ? undefined : imageConfig.Volumes;
  const volumeRequests = pm.imageVolume === 'tmpfs' ? [...(opts.mounts ?? []), ...imageVolumesAsTmpfs(imageConfig.Volumes, opts.mounts ?? [])] : opts.mounts ?? [];
  const mounts = planMounts(ctx, volumeRequests, opts.volumesFrom ?? [], pm.imageVolume === 'tmpfs' ? undefined : imageVolumes, opts.anonymousVolumes);

  const id = randomHex(32);
  const p = store.paths(id);
  const keepIdAs = opts.keepId ? keepIdOwn(opts, ctx) : undefined;
  const hostname = opts.hostname ?? id.slice(0, 12);
  // A cgroup of its own: as root for its devices, and for its limits where the host allows.
  const resources = opts.resources ?? {};
  if (opts.cgroups === 'disabled' && hasLimits(resources)) throw new UsageError('resource limits need a cgroup: they cannot be used with --cgroups=disabled');
  const cgroupsPath = opts.cgroups === 'disabled' ? undefined : cgroupsPathFor(ctx, id, resources, opts.cgroupParent);
  const freezer = containerFreezer(ctx, cgroupsPath);
  const spec = buildSpec({
    image: imageConfig,
    layerDirsTopFirst: [...layerDirs].reverse(),
    command: opts.command,
    entrypoint: opts.entrypoint,
    env: opts.env,
    workdir: opts.workdir,
    user: opts.user,
    hostname,
    capAdd: opts.capAdd,
    capDrop: opts.capDrop,
    privileged: opts.privileged,
    readOnly: opts.readOnly,
    security: opts.security,
    network: opts.network.mode.kind === 'host' ? 'host' : 'private',
    tty: opts.tty,
    consoleSize: opts.consoleSize,
    userns: ctx.userns(),
    keepId: keepIdAs,
    envMerge: pm.envMerge,
    unsetEnv: pm.unsetEnv,
    unsetEnvAll: pm.unsetEnvAll,
    groupAdd: pm.groupAdd,
    umask: pm.umask,
    rootfs: p.rootfs,
    etcFiles: { hosts: p.hosts, hostname: p.hostname, resolvConf: p.resolvConf },
    mounts: mounts.oci,
    devices: opts.devices,
    deviceCgroupRules: opts.deviceCgroupRules,
    cgroupsPath,
  });
  if (!ctx.rootless && (!cgroupsPath || !devicesConfined(ctx))) refuseUnconfinedDevices(opts, spec, layerDirs);
  if (opts.cgroupns === 'host') spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'cgroup');
  spec.linux.resources = { ...spec.linux.resources, ...resources };
  if (opts.oomScoreAdj !== undefined) spec.process.oomScoreAdj = opts.oomScoreAdj;
  if (opts.shmSize !== undefined) setShmSize(spec, opts.shmSize);

  if (opts.rlimits) spec.process.rlimits = opts.rlimits;
  if (opts.init) withInit(spec, pm.initPath);
  const userFiles = podmanSpecExtras(ctx, opts, spec, p.dir, layerDirs);
  if (opts.sdNotify?.mode === 'container' && opts.sdNotify.socket) withNotifySocket(spec, p.notifyDir);
  // --no-hosts: the image's own /etc/hosts.
  if (opts.network.noHosts) spec.mounts = spec.mounts.filter((m) => m.destination !== '/etc/hosts');
  const net = networkForRecord(ctx, opts, imageConfig.ExposedPorts);
  trace('create: spec built');
  const keepIdShift = keepIdAs && ctx.userns() ? keepIdAs : undefined;
  // keep-id needs the image's files chowned for its mapping: a copy of them (vfs), not the shared layers.
  const driver = keepIdShift ? 'vfs' : chooseDriver(ctx, layerDirs.length);
  const record: ContainerRecord = {
    id,
    name: '',
    image: opts.image,
    imageId: image.id,
    imageName: image.names[0] ?? image.id,
    args: spec.process.args,
    created: new Date().toISOString(),
    autoRemove: opts.autoRemove,
    tty: opts.tty,
    openStdin: opts.interactive,
    hostname,
    network: legacyNetwork(net.mode),
    net,
    storageDriver: driver,
    rootless: ctx.rootless,
    stopSignal: opts.stopSignal ?? (systemdMode(pm.systemd, spec.process.args) ? 'SIGRTMIN+3' : imageConfig.StopSignal),
    stopTimeout: opts.stopTimeout,
    restartPolicy: opts.restartPolicy,
    labels: opts.labels,
    healthcheck: opts.builder ? undefined : healthConfig(imageConfig.Healthcheck, opts.health),
    mounts: mounts.mounts,
    ...(opts.builder ? { builder: opts.builder } : {}),
    ...(opts.pod ? { pod: opts.pod.id, ...(opts.pod.infra ? { podInfra: true } : {}) } : {}),
    ...(freezer ? { freezer } : {}),
    ...(opts.createCommand ? { createCommand: opts.createCommand } : {}),
    ...(opts.cidFile ? { cidFile: path.resolve(opts.cidFile) } : {}),
    ...(opts.sdNotify && opts.sdNotify.mode !== 'ignore' ? { sdNotify: opts.sdNotify } : {}),
    ...(opts.monitorPidFile ? { monitorPidFile: path.resolve(opts.monitorPidFile) } : {}),
    ...(pm.pidFile ? { pidFile: path.resolve(pm.pidFile) } : {}),
    ...(keepIdShift ? { keepIdShift } : {}),
    ...(pm.logDriver === 'none' ? { logDriver: 'none' } : {}),
    ...(pm.logPath ? { logPath: path.resolve(pm.logPath) } : {}),
  };
  if (record.sdNotify?.mode === 'healthy' && !record.healthcheck) throw new UsageError('--sdnotify=healthy needs a healthcheck (--health-cmd, or the image\'s HEALTHCHECK)');
  // The record claims the name; everything after it is undone on failure.
  store.locked(() => {
    const taken = store.names();
    if (opts.name !== undefined && taken.has(opts.name)) {
      throw new ConflictError(`the container name "${opts.name}" is already in use: remove that container or choose another name`);
    }
    record.name = opts.name ?? generateName(taken);
    mkdirPrivate(p.dir);
    // A container removed when it exits needs no record that survives a crash.
    writeJsonAtomic(p.record, record, 0o600, !record.autoRemove);
  });
  trace('create: record written');
  try {
    prepareMounts(ctx, mounts, { layerDirsBottomFirst: layerDirs, uid: spec.process.user.uid, gid: spec.process.user.gid });
    writeEtcFiles(p, hostname);
    writeUserFiles(p.dir, userFiles);
    writeContainerEnv(p.dir, { name: record.name, id, image: record.imageName, imageId: image.id, rootless: ctx.rootless, privileged: opts.privileged });
    writeSecretFiles(ctx, p.dir, pm.secrets ?? []);
    for (const d of [p.upper, p.work, p.rootfs]) fs.mkdirSync(d, { mode: 0o755 });
    makeWorkdir(spec.process.cwd, layerDirs, p.upper);
    if (spec.mounts.some((m) => m.source === p.notifyDir)) fs.mkdirSync(p.notifyDir, { mode: 0o755 });
    writeJsonAtomic(p.config, spec, 0o600, false);
    trace('create: files written');
    const { state, attachFd } = spawnInit(ctx, record, spec, layerDirs, { attach: opts.attach ?? false, startNow: opts.startNow ?? false, preserveFds: opts.preserveFds });
    // podman writes it (truncating an old one) once the container exists: a unit's stale file from a crash is no error.
    if (record.cidFile) fs.writeFileSync(record.cidFile, record.id);
    if (!record.builder) containerEvent(ctx, record, 'create');
    return { record, state, status: 'created', attachFd };
  } catch (err) {
    removeContainerFiles(ctx, store, id);
    undoMounts(ctx, mounts);
    throw err;
  }
}

/**
 * Makes the container's init (waiting on its exec FIFO) and its monitor, and
 * records their pids: at create, and again for each start of a container
 * that ran before (its bundle, upper layer and files are kept).
 */
function spawnInit(
  ctx: Context,
  record: ContainerRecord,
  spec: ReturnType<typeof buildSpec>,
  layerDirs: string[],
  opts: { attach: boolean; startNow: boolean; restartCount?: number; preserveFds?: number },
): { state: ContainerState; attachFd?: number } {
  const p = new ContainerStore(ctx).paths(record.id);
  ensureOwnedDir(ctx.paths.runRoot, ctx.uid);
  mkdirPrivate(p.run);
  // Writable by whichever user the container runs as: the init reopens it after
  // dropping to that user; the directory (0700) keeps everyone else out.
  ctx.native().mkfifo(p.execFifo, 0o622);
  fs.chmodSync(p.execFifo, 0o622); // mkfifo honours the umask
  const cgroupsPath = spec.linux.cgroupsPath;
  const cgroupProcs = cgroupsPath ? setUpContainerCgroup(ctx, cgroupsPath, spec.linux.resources ?? {}) : undefined;
  const passed = passedFds(opts.preserveFds);
  const result = spawnOnDriver(ctx, record, withActivationEnv(spec, passed.env), p, layerDirs, { attach: opts.attach, preserveFds: passed.count, cgroupProcs });
  if (spec.process.oomScoreAdj !== undefined) setOomScoreAdj(result.pid, spec.process.oomScoreAdj);
  trace('create: init ready');
  const state: ContainerState = {
    pid: result.pid,
    pidStartTime: procStartTime(result.pid) ?? '',
    monitorPid: result.monitorPid,
    startedAt: opts.startNow ? new Date().toISOString() : undefined,
    restartCount: opts.restartCount,
  };
  writeJsonAtomic(p.state, state, 0o600, false);
  writeMonitorPid(record, p, result.monitorPid, result.pid);
  return { state, attachFd: result.attachFd };
}

/** The LISTEN_* of a socket activation, for this start only: config.json stays as created, for starts without one. */
function withActivationEnv(spec: ReturnType<typeof buildSpec>, listenEnv: string[]): ReturnType<typeof buildSpec> {
  if (listenEnv.length === 0) return spec;
  const env = [...spec.process.env.filter((e) => !e.startsWith('LISTEN_')), ...listenEnv];
  return { ...spec, process: { ...spec.process, env } };
}

/** The monitor's pid, for a generated unit's PIDFile (and --conmon-pidfile's file, where given); --pidfile's, the container's. */
function writeMonitorPid(record: ContainerRecord, p: Paths, monitorPid: number, pid: number): void {
  for (const file of [p.monitorPidFile, ...(record.monitorPidFile ? [record.monitorPidFile] : [])]) fs.writeFileSync(file, `${monitorPid}\n`);
  if (record.pidFile) fs.writeFileSync(record.pidFile, `${pid}\n`);
}

/** --replace: the container that has the name goes first, running or not (podman's rm -f). */
async function replaceNamed(ctx: Context, name: string | undefined): Promise<void> {
  if (name === undefined) throw new UsageError('--replace needs --name: only a named container can be replaced');
  const old = new ContainerStore(ctx).find(name);
  if (old && old.record.name === name) await removeContainer(ctx, old, true);
}

/**
 * --sdnotify=container: the directory of the monitor's socket is the
 * container's /run/notify, and NOTIFY_SOCKET names the socket in it. A
 * directory, not the socket: the monitor binds a new one at each start.
 */
function withNotifySocket(spec: ReturnType<typeof buildSpec>, dir: string): void {
  spec.mounts.push({ destination: path.dirname(NOTIFY_SOCKET_IN_CONTAINER), type: 'bind', source: dir, options: ['bind', 'rw', 'nosuid', 'nodev', 'noexec'] });
  spec.process.env = [...spec.process.env.filter((e) => !e.startsWith('NOTIFY_SOCKET=')), `NOTIFY_SOCKET=${NOTIFY_SOCKET_IN_CONTAINER}`];
}

/**
 * A container that ran and exited (or whose init died with the machine) gets
 * a new init from its bundle: `start` and `restart` of a stopped container,
 * and the restart policies.
 */
export function respawnContainer(ctx: Context, view: ContainerView, restartCount?: number): ContainerView {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  const images = new ImageStore(ctx);
  const layerDirs = images.layerDirs(images.getImage(view.record.imageId));
  const spec = JSON.parse(fs.readFileSync(p.config, 'utf8')) as ReturnType<typeof buildSpec>;
  // A cp into the stopped container has its upper directory mounted: the new init waits for it.
  return withLockSync(p.rootfsLock, () => {
    // An rm takes the record under this lock (an rm -f racing a restart
    // policy): a container removed meanwhile is not started again.
    if (!fs.existsSync(p.record)) throw new NotFoundError(`container ${view.record.name} was removed meanwhile`);
    fs.rmSync(p.run, { recursive: true, force: true });
    fs.rmSync(p.exit, { force: true });
    fs.rmSync(p.state, { force: true });
    const { state } = spawnInit(ctx, view.record, spec, layerDirs, { attach: false, startNow: false, restartCount: restartCount ?? view.state?.restartCount });
    return { record: view.record, state, status: 'created' as const };
  });
}

/**
 * As root on a machine with neither a devices cgroup nor cgroup v2, nothing
 * keeps a container from opening a device node: refuse what would bring one
 * (an image's layers, --device-cgroup-rule, CAP_MKNOD), unless --privileged
 * asked for every device anyway.
 */
function refuseUnconfinedDevices(opts: CreateOptions, spec: ReturnType<typeof buildSpec>, layerDirs: string[]): void {
  if (opts.privileged) return;
  const why = 'this machine has no devices cgroup (v1) and no cgroup v2 to keep a container from opening device nodes';
  if (opts.deviceCgroupRules?.length) throw new UsageError(`--device-cgroup-rule cannot be applied: ${why}`);
  if (spec.process.capabilities.bounding.includes('CAP_MKNOD')) throw new UsageError(`CAP_MKNOD cannot be given: ${why}`);
  const node = findDeviceNode([...layerDirs].reverse());
  if (node) throw new UsageError(`image ${opts.image} carries the device node ${node} and ${why}: husk will not run it as root (rootless, device nodes are not extracted)`);
}

/** Where --init's binary appears in the container (podman's is /run/podman-init). */
export const INIT_IN_CONTAINER = '/run/husk-init';

/** --init: husk-init (or --init-path's), bind-mounted read-only, runs as PID 1 with the command as its child. */
function withInit(spec: ReturnType<typeof buildSpec>, binary = initPath()): void {
  spec.mounts.push({ destination: INIT_IN_CONTAINER, type: 'bind', source: binary, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  spec.process.args = [INIT_IN_CONTAINER, '--', ...spec.process.args];
}

type Paths = ReturnType<ContainerStore['paths']>;

function spawnOnDriver(
  ctx: Context,
  record: ContainerRecord,
  spec: ReturnType<typeof buildSpec>,
  p: Paths,
  layerDirs: string[],
  how: { attach: boolean; preserveFds: number; cgroupProcs?: string[] },
) {
  // vfs keeps the container's changes in the copy itself: it is made once.
  if (record.storageDriver === 'vfs' && fs.readdirSync(p.rootfs).length === 0) {
    mergeLayers(ctx.userns(), p.rootfs, layerDirs);
    if (record.keepIdShift) shiftForKeepId(ctx.userns(), p.rootfs, record.keepIdShift);
  }
  // A failed mount is an error of this container, whatever its cause: the
  // store's driver was decided by its probe (chooseDriver), not here.
  const lowers = record.storageDriver === 'overlay' ? lowerLinks(p.lowerLinks, layerDirs) : layerDirs;
  return spawnWithNetwork(ctx, record, spec, (spec) => ctx.native().createContainer({
    spec,
    bundle: p.dir,
    rootfs: rootfsPlan(record.storageDriver, lowers, p, record.autoRemove),
    usernsHelpers: ctx.userns()?.helpers ?? false,
    execFifo: p.execFifo,
    monitorArgv: monitorArgv(ctx, record, p),
    openStdin: record.openStdin,
    attach: how.attach,
    preserveFds: how.preserveFds,
    seccompCache: spec.linux.seccomp && path.join(ctx.paths.runRoot, `seccomp-${fnv1a(JSON.stringify(spec.linux.seccomp))}.bpf`),
    cgroupProcs: how.cgroupProcs,
    timeoutMs: START_TIMEOUT_MS,
  }));
}

/** What the record keeps of the network flags: -P's ports (the image's EXPOSE too) are added here, their host ports chosen at start. */
function networkForRecord(ctx: Context, opts: CreateOptions, imageExpose: Record<string, unknown> | undefined): ContainerNetworkConfig {
  const net = opts.network;
  if (ctx.rootless && opts.keepId && net.mode.kind === 'bridge') {
    throw new UsageError('--userns=keep-id cannot be used with user networks when rootless: their containers share one user namespace');
  }
  // A network that does not exist is a 125 now, before anything is made.
  if (net.mode.kind === 'bridge') {
    const networks = new NetworkStore(ctx);
    for (const a of net.mode.networks) networks.get(a.name);
  }
  const expose = [...new Set([...Object.keys(imageExpose ?? {}), ...net.expose])];
  // docker drops -p with --network host: the container's ports are the host's.
  const ports = net.mode.kind === 'host' ? [] : net.ports;
  const config = { ...net, expose, ports: net.publishAll ? [...ports, ...publishAllPorts(expose, ports)] : ports };
  checkPublishable(config);
  return config;
}


function monitorArgv(ctx: Context, record: ContainerRecord, p: Paths): string[] {
  const husk = [process.execPath, path.join(packageRoot(), 'bin', 'husk'), '--root', ctx.paths.dataRoot, '--runroot', ctx.paths.runRoot];
  const log = record.logDriver === 'none' ? '/dev/null' : record.logPath ?? p.log;
  const argv = [monitorPath(), '--id', record.id, '--log', log, '--attach', p.attach, '--exit', p.exit];
  if (record.tty) argv.push('--tty');
  // A build's RUN step dies with the build (SIGKILL included), as podman's do.
  if (record.builder) argv.push('--owner-pid', String(record.builder.pid));
  // The monitor records the container's "die" in the events log the moment it exits.
  else argv.push('--event-log', eventLogFile(ctx), '--event-prefix', dieEventPrefix(record));
  if (record.openStdin) argv.push('--stdin');
  // --sdnotify=container: the monitor relays what the container says to systemd.
  if (record.sdNotify?.mode === 'container' && record.sdNotify.socket) argv.push('--notify-socket', path.join(p.notifyDir, 'notify.sock'), '--notify-target', record.sdNotify.socket);
  for (const a of [...husk, 'container', 'cleanup', record.id]) argv.push('--cleanup-arg', a);
  // The monitor runs the healthcheck: no daemon needed for it either.
  if (record.healthcheck) {
    argv.push('--health-interval', String(Math.max(1, Math.round(record.healthcheck.intervalMs))));
    for (const a of [...husk, 'healthcheck', 'run', record.id]) argv.push('--health-arg', a);
  }
  return argv;
}

/** The record's one-word `network` of before lib/network, kept for older husks reading the record. */
export function legacyNetwork(mode: NetworkMode): 'private' | 'none' | 'host' {
  return mode.kind === 'none' || mode.kind === 'host' ? mode.kind : 'private';
}

/** /etc/hostname; /etc/hosts and resolv.conf empty for the init to bind-mount: each start writes them (engine/container-network.ts). */
function writeEtcFiles(p: Paths, hostname: string): void {
  fs.writeFileSync(p.hostname, `${hostname}\n`, { mode: 0o644 });
  for (const file of [p.hosts, p.resolvConf]) fs.writeFileSync(file, '', { mode: 0o644 });
}

/** docker creates a missing working directory; the upper layer is where it can. */
function makeWorkdir(cwd: string, layerDirs: string[], upper: string): void {
  if (cwd === '/' || layerDirs.some((d) => fs.existsSync(path.join(d, cwd)))) return;
  fs.mkdirSync(path.join(upper, cwd), { recursive: true, mode: 0o755 });
}

/** --shm-size: /dev/shm's tmpfs gets that size. */
function setShmSize(spec: Spec, bytes: number): void {
  const shm = spec.mounts.find((m) => m.destination === '/dev/shm');
  if (shm) shm.options = [...shm.options.filter((o) => !o.startsWith('size=')), `size=${Math.max(1, Math.floor(bytes / 1024))}k`];
}

/** --oom-score-adj, on the init before it runs anything: its children inherit it. */
function setOomScoreAdj(pid: number, value: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (err) {
    // Lowering it needs CAP_SYS_RESOURCE: rootless may only raise it.
    throw new UsageError(`--oom-score-adj ${value}: ${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'only root may lower it below the current value' : (err as Error).message}`);
  }
}

/** The image, pulled as --pull says: missing (the default) pulls what is not here, never refuses to. */
async function imageFor(ctx: Context, images: ImageStore, name: string, pm: PodmanCreateOptions) {
  const local = images.findImage(name);
  const policy = pm.pull ?? 'missing';
  if (policy === 'never') {
    if (!local) throw new NotFoundError(`${name}: image not known`);
    return local;
  }
  // One read of the image index on the common path: pull only what is not there.
  if (local && policy === 'missing' && !pm.pullOptions?.platform) return local;
  await pullMissing(ctx, name, pm.pullOptions);
  const image = images.getImage(name);
  if (pm.pullOptions?.platform) checkImagePlatform(name, images.imageConfig(image), pm.pullOptions.platform);
  return image;
}

/** --platform, --arch...: an image of another platform is not run (a pull found nothing better). */
function checkImagePlatform(name: string, config: { os?: string; architecture?: string }, platform: string): void {
  const want = parsePlatform(platform);
  if (config.os !== want.os || config.architecture !== want.architecture) {
    throw new NotFoundError(`${name}: no image for ${want.os}/${want.architecture}: the one here is ${config.os ?? '?'}/${config.architecture ?? '?'}`);
  }
}

/** The container IDs keep-id gives the user's own: its own, or keep-id:uid=,gid=. */
function keepIdOwn(opts: CreateOptions, ctx: Context): { uid: number; gid: number } {
  return { uid: opts.podman?.keepIdAs?.uid ?? ctx.uid, gid: opts.podman?.keepIdAs?.gid ?? ctx.gid };
}

/** --image-volume=tmpfs: the image's VOLUMEs are tmpfs mounts (where the user mounted nothing). */
function imageVolumesAsTmpfs(volumes: Record<string, object> | undefined, requests: MountRequest[]): MountRequest[] {
  const taken = new Set(requests.map((r) => r.destination));
  return Object.keys(volumes ?? {})
    .map((v) => cleanDestination(path.posix.join('/', v)))
    .filter((d) => d !== '/' && !taken.has(d))
    .map((d) => ({ type: 'tmpfs', source: 'tmpfs', destination: d, rw: true, options: ['nosuid', 'nodev'] }));
}

function systemdMode(mode: PodmanCreateOptions['systemd'], args: string[]): boolean {
  return mode === 'always' || ((mode ?? 'true') === 'true' && isSystemdCommand(args));
}

/** What podman's flags add to the spec; the user files to write with the bundle. */
function podmanSpecExtras(ctx: Context, opts: CreateOptions, spec: Spec, dir: string, layerDirs: string[]) {
  const pm = opts.podman ?? {};
  if (pm.annotations) spec.annotations = { ...spec.annotations, ...pm.annotations };
  if (pm.tzFile) withTimezone(spec, pm.tzFile);
  if (pm.noHostname) spec.mounts = spec.mounts.filter((m) => m.destination !== '/etc/hostname');
  if (opts.readOnly && pm.readOnlyTmpfs) withReadOnlyTmpfs(spec);
  if (systemdMode(pm.systemd, spec.process.args)) withSystemdMode(spec);
  withContainerEnv(spec, dir);
  withSecrets(ctx, spec, dir, pm.secrets ?? []);
  return withUserFiles(spec, dir, {
    layerDirsTopFirst: [...layerDirs].reverse(),
    keepIdUid: opts.keepId ? keepIdOwn(opts, ctx).uid : undefined,
    passwdEntry: pm.passwdEntry,
    groupEntry: pm.groupEntry,
    hostUsers: pm.hostUsers,
    addUser: pm.passwd ?? true,
  });
}
