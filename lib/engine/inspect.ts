// `inspect` of a container: its record, bundle and state as docker and
// podman name the fields (.State.Status, .State.ExitCode, .Config.Env,
// .Mounts, .NetworkSettings, ...), so users' --format templates carry over.
import fs from 'node:fs';
import path from 'node:path';
import { ImageStore } from '../image/store.js';
import { ContainerStore, isAlive, type ContainerView } from '../runtime/container-store.js';
import { stopInProgress } from './stop.js';
import type { Spec } from '../core/oci-spec.js';
import { directorySize } from '../storage/du.js';
import type { Context } from '../core/context.js';
import { INIT_IN_CONTAINER } from './create.js';
import { readHealth } from './health.js';
import { inspectHostConfigNetwork, inspectNetworkSettings } from '../network/inspect.js';
import { networkConfigOf, networkStatusOf } from './container-network.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function inspectContainer(ctx: Context, view: ContainerView, size = false): Record<string, unknown> {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  const r = view.record;
  let spec: Partial<Spec> = {};
  try {
    spec = JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec;
  } catch {
    /* a container cut short by a crash: the record alone */
  }
  const process_ = spec.process;
  const init = process_?.args[0] === INIT_IN_CONTAINER;
  const args = init ? process_!.args.slice(2) : process_?.args ?? r.args;
  const images = new ImageStore(ctx);
  const image = images.findImage(r.imageId);
  const imageConfig = image ? images.imageConfig(image).config ?? {} : {};
  const running = view.status === 'running' && !!view.state && isAlive(view.state);
  const health = readHealth(ctx, view);
  const mounts = (r.mounts ?? []).map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.source } : {}),
    Source: m.type === 'volume' ? `${ctx.paths.dataRoot}/volumes/${m.source}/_data` : m.source,
    Destination: m.destination,
    Driver: m.type === 'volume' ? 'local' : '',
    Mode: '',
    RW: m.rw,
    Propagation: m.type === 'bind' ? 'rprivate' : '',
  }));
  const net = networkConfigOf(r);
  const netStatus = running ? networkStatusOf(ctx, view) : undefined;
  const upper = r.storageDriver === 'vfs' ? p.rootfs : p.upper;
  return {
    Id: r.id,
    Created: r.created,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: stopInProgress(ctx, view) ? 'stopping' : view.paused ? 'paused' : view.status,
      Running: running,
      Paused: view.paused === true,
      Restarting: false,
      OOMKilled: view.exit?.oomKilled === true,
      Dead: false,
      Pid: running ? view.state!.pid : 0,
      ConmonPid: running ? view.state!.monitorPid : 0,
      ExitCode: view.exit?.exitCode ?? 0,
      Error: '',
      StartedAt: view.state?.startedAt ?? ZERO_TIME,
      FinishedAt: view.exit?.finishedAt ?? ZERO_TIME,
      ...(health ? { Health: health } : {}),
    },
    Image: `sha256:${r.imageId}`,
    ImageName: r.imageName,
    ResolvConfPath: p.resolvConf,
    HostnamePath: p.hostname,
    HostsPath: p.hosts,
    LogPath: p.log,
    Name: r.name,
    // podman's: the pod's id ('' outside a pod), and whether this is its infra container.
    Pod: r.pod ?? '',
    IsInfra: r.podInfra ?? false,
    RestartCount: view.state?.restartCount ?? 0,
    Driver: r.storageDriver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: [],
    HostConfig: {
      Binds: (r.mounts ?? []).filter((m) => m.type !== 'tmpfs').map((m) => `${m.source}:${m.destination}${m.rw ? '' : ':ro'}`),
      ...inspectHostConfigNetwork(net),
      RestartPolicy: { Name: r.restartPolicy?.name ?? 'no', MaximumRetryCount: r.restartPolicy?.maxRetries ?? 0 },
      AutoRemove: r.autoRemove,
      CapAdd: [],
      CapDrop: [],
      Privileged: false,
      ReadonlyRootfs: spec.root?.readonly ?? false,
      Init: init,
      Tmpfs: Object.fromEntries((r.mounts ?? []).filter((m) => m.type === 'tmpfs').map((m) => [m.destination, m.options.join(',')])),
      ...resourcesView(spec),
    },
    GraphDriver: {
      Name: r.storageDriver,
      Data: {
        LowerDir: image ? images.layerDirs(image).reverse().join(':') : '',
        UpperDir: upper,
        WorkDir: p.work,
        MergedDir: p.rootfs,
      },
    },
    ...(size ? { SizeRw: directorySize(upper) } : {}),
    Mounts: mounts,
    Config: {
      Hostname: r.hostname,
      Domainname: '',
      User: process_ ? `${process_.user.uid}:${process_.user.gid}` : '',
      AttachStdin: r.openStdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: r.tty,
      OpenStdin: r.openStdin,
      StdinOnce: false,
      Env: process_?.env ?? [],
      Cmd: args,
      Image: r.image,
      Volumes: imageConfig.Volumes ?? null,
      WorkingDir: process_?.cwd ?? '/',
      Entrypoint: imageConfig.Entrypoint ?? null,
      OnBuild: null,
      Labels: r.labels ?? {},
      StopSignal: r.stopSignal ?? 'SIGTERM',
      StopTimeout: r.stopTimeout ?? 10,
      ...(imageConfig.Healthcheck ? { Healthcheck: imageConfig.Healthcheck } : {}),
    },
    NetworkSettings: {
      ...inspectNetworkSettings(net, netStatus),
      SandboxKey: running ? `/proc/${view.state!.pid}/ns/net` : '',
    },
  };
}

/** HostConfig's resource fields, as docker names them (0: no limit). */
function resourcesView(spec: Partial<Spec>): Record<string, unknown> {
  const r = spec.linux?.resources ?? {};
  const shm = spec.mounts?.find((m) => m.destination === '/dev/shm')?.options.find((o) => o.startsWith('size='));
  const blk = r.blockIO;
  const rates = (list: Array<{ major: number; minor: number; rate: number }> | undefined) => (list ?? []).map((d) => ({ Path: `${d.major}:${d.minor}`, Rate: d.rate }));
  return {
    Memory: r.memory?.limit ?? 0,
    MemoryReservation: r.memory?.reservation ?? 0,
    MemorySwap: r.memory?.swap ?? 0,
    MemorySwappiness: r.memory?.swappiness ?? null,
    OomKillDisable: r.memory?.disableOOMKiller ?? false,
    OomScoreAdj: spec.process?.oomScoreAdj ?? 0,
    NanoCpus: r.cpu?.quota && r.cpu.period ? Math.round((r.cpu.quota / r.cpu.period) * 1e9) : 0,
    CpuShares: r.cpu?.shares ?? 0,
    CpuPeriod: r.cpu?.period ?? 0,
    CpuQuota: r.cpu?.quota ?? 0,
    CpusetCpus: r.cpu?.cpus ?? '',
    CpusetMems: r.cpu?.mems ?? '',
    PidsLimit: r.pids?.limit ?? 0,
    BlkioWeight: blk?.weight ?? 0,
    BlkioWeightDevice: (blk?.weightDevice ?? []).map((d) => ({ Path: `${d.major}:${d.minor}`, Weight: d.weight })),
    BlkioDeviceReadBps: rates(blk?.throttleReadBpsDevice),
    BlkioDeviceWriteBps: rates(blk?.throttleWriteBpsDevice),
    BlkioDeviceReadIOps: rates(blk?.throttleReadIOPSDevice),
    BlkioDeviceWriteIOps: rates(blk?.throttleWriteIOPSDevice),
    Ulimits: (spec.process?.rlimits ?? []).map((l) => ({ Name: l.type.replace(/^RLIMIT_/, '').toLowerCase(), Soft: l.soft, Hard: l.hard })),
    ShmSize: shm ? Number(shm.slice(5, -1)) * 1024 : 0,
    CgroupParent: spec.linux?.cgroupsPath ? path.posix.dirname(spec.linux.cgroupsPath) : '',
  };
}
