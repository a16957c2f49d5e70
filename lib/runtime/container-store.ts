// Containers on disk: a directory per container holding its bundle
// (config.json), its husk record, its state, its log and the overlay upper
// directory; volatile files (attach socket, exec FIFO) live under runRoot.
// Status is derived from what is on disk and in /proc, never stored twice.
import fs from 'node:fs';
import { isFrozen } from './cgroup-limits.js';
import path from 'node:path';
import type { Context } from '../core/context.js';
import type { ContainerNetworkConfig, NetworkStatus } from '../core/network.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { mkdirPrivate, readJsonIfExists } from '../storage/atomic.js';
import type { DriverName } from '../storage/driver.js';
import { withLockSync } from '../storage/lock.js';

export interface ContainerRecord {
  id: string;
  name: string;
  /** The image as the user named it, and what it resolved to. */
  image: string;
  imageId: string;
  imageName: string;
  args: string[];
  created: string;
  autoRemove: boolean;
  tty: boolean;
  openStdin: boolean;
  hostname: string;
  network: 'private' | 'none' | 'host';
  /**
   * Everything networking asked for (--network, -p, --dns, ...). Records
   * written before it existed have only `network` above, which this will
   * replace once create and start use it.
   */
  net?: ContainerNetworkConfig;
  storageDriver: DriverName;
  /** Rootful or rootless: which mapping owns the container's files. */
  rootless: boolean;
  /** --stop-signal, else the image's STOPSIGNAL. */
  stopSignal?: string;
  /** --stop-timeout, seconds (default 10). */
  stopTimeout?: number;
  restartPolicy?: RestartPolicy;
  /** From --health-* or the image's HEALTHCHECK; run by the monitor. */
  healthcheck?: HealthConfig;
  /** --label K=V */
  labels?: Record<string, string>;
  /** Volumes, binds and tmpfs mounts (-v, --mount, --tmpfs, --volumes-from, the image's VOLUMEs), in mount order. */
  mounts?: ContainerMount[];
  /** The pod the container belongs to (its id), and whether it is the pod's infra container. */
  pod?: string;
  podInfra?: boolean;
  /** A build's RUN container: which build (process) it belongs to. */
  builder?: BuilderMark;
  /** The file that freezes its cgroup (pause), where it has one. */
  freezer?: string;
  /**
   * The command line it was made with (husk's path first, then every word
   * after it: global flags, run or create, its flags): what `generate
   * systemd --new` runs again. Absent in records of older husks and in
   * containers made by compose, builds and pods.
   */
  createCommand?: string[];
  /** --cidfile: the file holding its id, removed with the container. */
  cidFile?: string;
  /** --sdnotify: who tells systemd the container is ready, and the NOTIFY_SOCKET of its create. */
  sdNotify?: SdNotify;
  /** --conmon-pidfile (pod create --infra-conmon-pidfile): another file that gets the monitor's pid at each start. */
  monitorPidFile?: string;
  /** --pidfile: the container's first process's pid goes there at each start. */
  pidFile?: string;
  /** --log-driver=none: the output is kept nowhere. */
  logDriver?: 'none';
  /** --log-opt path=: the log file, instead of the container directory's. */
  logPath?: string;
  /** --userns=keep-id: the copy (vfs) of the image is chowned for keep-id's mapping of these IDs. */
  keepIdShift?: { uid: number; gid: number };
}

/**
 * podman's --sdnotify. conmon: husk sends READY=1 (and MAINPID, the
 * monitor) once the container runs; container: the container's own
 * NOTIFY_SOCKET messages are relayed by the monitor; healthy: READY=1 once
 * the healthcheck first passes; ignore: nothing.
 */
export interface SdNotify {
  mode: 'conmon' | 'container' | 'healthy' | 'ignore';
  /** $NOTIFY_SOCKET when the container was created (none: nothing is sent). */
  socket?: string;
}

/** The husk build process a container belongs to (its pid and start time: a pid can be reused). */
export interface BuilderMark {
  pid: number;
  pidStartTime: string;
}

/** Whether the build a container belongs to has ended (killed: a build that ends well removes its containers). */
export function builderGone(mark: BuilderMark): boolean {
  // A killed build is a zombie until reaped: gone, though its /proc entry stays a while.
  return procStartTime(mark.pid) !== mark.pidStartTime || !pidRunning(mark.pid);
}

export interface ContainerMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: the host path; volume: the volume's name; tmpfs: "tmpfs". */
  source: string;
  destination: string;
  rw: boolean;
  /** More mount options: rbind or bind, propagation, nosuid/nodev/noexec, tmpfs size and mode. */
  options: string[];
  /** A volume made for this container alone (-v /path, an image's VOLUME): `rm -v` removes it. */
  anonymous?: boolean;
}

export interface HealthConfig {
  /** ["CMD", args...] or ["CMD-SHELL", command] */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

export interface RestartPolicy {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  /** on-failure:N */
  maxRetries?: number;
}

export interface ContainerState {
  pid: number;
  /** Field 22 of /proc/PID/stat at creation: tells a live pid from a reused one. */
  pidStartTime: string;
  monitorPid: number;
  /** When it was (or, written by a create that starts at once, is about to be) started. */
  startedAt?: string;
  /** Restarts made by the restart policy since the user last started it. */
  restartCount?: number;
}

export interface ExitRecord {
  exitCode: number;
  finishedAt: string;
  /** The OOM killer killed in its cgroup (added by the cleanup, which reads the cgroup). */
  oomKilled?: boolean;
}

export type Status = 'created' | 'running' | 'exited' | 'stopped';

export interface ContainerView {
  record: ContainerRecord;
  state?: ContainerState;
  /** Set by a create that asked for it: a connected attach client's fd. */
  attachFd?: number;
  exit?: ExitRecord;
  status: Status;
  /** Running, its processes frozen (pause). */
  paused?: boolean;
}

export function procStartTime(pid: number): string | undefined {
  return procStat(pid)?.startTime;
}

/** Start time (field 22) and command name of a process, from one read of /proc/PID/stat. */
function procStat(pid: number): { startTime?: string; comm: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields after the last ')'.
    const close = stat.lastIndexOf(')');
    return { startTime: stat.slice(close + 2).split(' ')[19], comm: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return undefined;
  }
}

/** A process that exists and is not a zombie (zombies still answer kill(0): they are done). */
export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    // EPERM: someone else's process, alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isAlive(state: ContainerState): boolean {
  return procStartTime(state.pid) === state.pidStartTime;
}

export class ContainerStore {
  readonly dir: string;
  readonly runDir: string;
  private readonly lockFile: string;

  constructor(readonly ctx: Context) {
    this.dir = path.join(ctx.paths.dataRoot, 'containers');
    this.runDir = path.join(ctx.paths.runRoot, 'c');
    this.lockFile = path.join(ctx.paths.dataRoot, 'containers.lock');
  }

  locked<T>(fn: () => T): T {
    mkdirPrivate(this.dir);
    return withLockSync(this.lockFile, fn);
  }

  /** Built by concatenation: `ps -a` asks for these of every container, and path.join adds up. */
  paths(id: string) {
    const dir = `${this.dir}/${id}`;
    const run = `${this.runDir}/${id}`;
    return {
      dir,
      record: `${dir}/container.json`,
      config: `${dir}/config.json`,
      state: `${dir}/state.json`,
      exit: `${dir}/exit.json`,
      log: `${dir}/ctr.log`,
      upper: `${dir}/upper`,
      work: `${dir}/work`,
      rootfs: `${dir}/rootfs`,
      /** Short links to the image's layers, the overlay's lower directories (lowerLinks() in storage/driver.ts). */
      lowerLinks: `${dir}/l`,
      /** Held while the root file system is mounted for a start, or for a cp into a container not running. */
      rootfsLock: `${dir}/rootfs.lock`,
      hosts: `${dir}/hosts`,
      hostname: `${dir}/hostname`,
      resolvConf: `${dir}/resolv.conf`,
      run,
      attach: `${run}/attach`,
      execFifo: `${run}/exec.fifo`,
      /** What the start made of the network (NetworkStatus), gone with the container's process. */
      networkStatus: `${run}/network.json`,
      /** The monitor's pid, written at each start: a generated unit's PIDFile (podman's conmon.pid). */
      monitorPidFile: `${run}/monitor.pid`,
      /** --sdnotify=container: the monitor's socket, bound here and seen at /run/notify in the container. */
      notifyDir: `${dir}/notify`,
    };
  }

  ids(): string[] {
    try {
      return fs.readdirSync(this.dir).filter((f) => /^[a-f0-9]{64}$/.test(f));
    } catch {
      return [];
    }
  }

  view(id: string): ContainerView | undefined {
    const p = this.paths(id);
    // No record yet (a create in progress) or a torn one: not a container to show.
    const record = readRecord(p.record);
    if (!record) return undefined;
    const state = readJsonIfExists<ContainerState>(p.state, true);
    const exit = readJsonIfExists<ExitRecord>(p.exit);
    const status = statusOf(state, exit, p.execFifo);
    // Paused is running with every process frozen: still "running" to every verb but those that ask.
    const paused = status === 'running' && record.freezer !== undefined && isFrozen(record.freezer);
    return { record, state, exit, status, ...(paused ? { paused } : {}) };
  }

  /** Names in use: the records alone, no status. */
  names(): Set<string> {
    return new Set(this.ids().flatMap((id) => readRecord(this.paths(id).record)?.name ?? []));
  }

  list(): ContainerView[] {
    return this.ids()
      .map((id) => this.view(id))
      .filter((v): v is ContainerView => v !== undefined)
      // Newest first; ISO times compare as strings (localeCompare would go through ICU).
      .sort((a, b) => (a.record.created < b.record.created ? 1 : a.record.created > b.record.created ? -1 : 0));
  }

  /** By full id, unique id prefix, or name. */
  find(nameOrId: string): ContainerView | undefined {
    const found = this.lookup(nameOrId);
    return found.length === 1 ? found[0] : undefined;
  }

  get(nameOrId: string): ContainerView {
    const found = this.lookup(nameOrId);
    if (found.length > 1) {
      throw new ConflictError(`"${nameOrId}" is ambiguous: it matches ${found.length} containers (${found.map((c) => c.record.id.slice(0, 12)).join(', ')}); give more of the ID`);
    }
    if (!found[0]) throw new NotFoundError(`no container with name or ID "${nameOrId}" found: no such container`);
    return found[0];
  }

  /** The container of that name, else those whose id starts with it: one listing for both. */
  private lookup(nameOrId: string): ContainerView[] {
    const all = this.list();
    const byName = all.find((c) => c.record.name === nameOrId);
    if (byName) return [byName];
    return /^[a-f0-9]+$/.test(nameOrId) ? all.filter((c) => c.record.id.startsWith(nameOrId)) : [];
  }
}

/** The network a start made (ports as bound, addresses), if the container has one running; a torn file reads as none. */
export function readNetworkStatus(paths: { networkStatus: string }): NetworkStatus | undefined {
  try {
    return readJsonIfExists<NetworkStatus>(paths.networkStatus);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * A record cut short by a crash (those of --rm containers are written
 * without fsync) hides its container instead of breaking every listing.
 */
function readRecord(file: string): ContainerRecord | undefined {
  try {
    return readJsonIfExists<ContainerRecord>(file, true);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * The exec FIFO exists from create until the start has released the init;
 * while the init waits it is named "husk-created", so a FIFO left behind by
 * a husk killed during the start does not make a running container look created.
 */
function statusOf(state: ContainerState | undefined, exit: ExitRecord | undefined, execFifo: string): Status {
  if (exit) return 'exited';
  if (!state) return 'created';
  const proc = procStat(state.pid);
  const alive = proc?.startTime === state.pidStartTime;
  // A gone init with its FIFO still there never started.
  const started = !fs.existsSync(execFifo) || (alive && proc!.comm !== 'husk-created');
  if (alive) return started ? 'running' : 'created';
  // The init is gone and no exit was recorded: the monitor died with it.
  return started ? 'stopped' : 'created';
}
