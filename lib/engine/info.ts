// `husk info`: what this host offers a container engine, checked, not assumed.
import { DEFAULT_NETWORK } from '../core/network.js';
import { outboundCandidates } from '../network/outbound.js';
import fs from 'node:fs';
import path from 'node:path';
import { limitCgroups } from '../runtime/cgroup-limits.js';
import os from 'node:os';
import { ImageStore } from '../image/store.js';
import { ContainerStore } from '../runtime/container-store.js';
import { checkKernelOverlay, chooseDriver, fuseOverlayfsPath } from '../storage/driver.js';
import { readSubids } from '../core/subid.js';
import type { Context } from '../core/context.js';
import { HUSK_VERSION, versionInfo } from './version.js';
import { DEFAULT_CAPABILITIES } from '../runtime/capabilities.js';

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH || '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin').split(':')) {
    const p = `${dir}/${name}`;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function readOr(file: string, fallback = ''): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** The cgroup version, the manager, and what a container's cgroup can do here (limits, or why not). */
function cgroupInfo(ctx: Context) {
  const mounts = readOr('/proc/self/mounts').split('\n');
  const v2Root = mounts.find((l) => l.split(' ')[1] === ctx.cgroupFs && l.split(' ')[2] === 'cgroup2');
  const version = v2Root ? 'v2' : mounts.some((l) => l.split(' ')[2] === 'cgroup2') ? 'hybrid (v1 controllers, cgroup2 without them)' : 'v1';
  const cg = limitCgroups(ctx);
  const controllers = cg.kind === 'v1' ? Object.keys(cg.roots) : cg.kind === 'v2' ? cg.controllers : [];
  return {
    version,
    // husk writes the cgroup files itself, as podman's cgroupfs manager does (no systemd calls).
    manager: 'cgroupfs',
    controllers,
    limits: cg.kind === 'none' ? `unavailable: ${cg.why}` : cg.kind === 'v2' && cg.base ? `in the delegated cgroup ${cg.base}` : 'yes',
  };
}

/** The probe the store's driver was decided by, run again: info checks, it does not assume. */
function overlayWorks(ctx: Context): string {
  const check = checkKernelOverlay(ctx);
  return check.verdict === 'yes' ? 'yes' : `${check.verdict} (${check.detail})`;
}

/** Which backend a default container gets, and why (husk info). */
function networkBackend(rootless: boolean): { backend: string; reason: string } {
  if (!rootless) return { backend: 'bridge', reason: `root: the default network ${DEFAULT_NETWORK}, a bridge on the host with NAT through nftables` };
  try {
    const [best] = outboundCandidates();
    return { backend: best!.kind, reason: best!.reason };
  } catch (err) {
    return { backend: 'none', reason: (err as Error).message };
  }
}

/** /etc/os-release as podman's host.distribution. */
function distribution() {
  const release = readOr('/etc/os-release');
  const field = (k: string) => release.match(new RegExp(`^${k}="?([^"\\n]*)"?`, 'm'))?.[1] ?? '';
  return { distribution: field('ID') || 'unknown', version: field('VERSION_ID') || 'unknown', codename: field('VERSION_CODENAME'), prettyName: field('PRETTY_NAME') };
}

function memory() {
  const meminfo = readOr('/proc/meminfo');
  const kb = (k: string) => Number(meminfo.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? 0) * 1024;
  return { memFree: os.freemem(), memTotal: os.totalmem(), swapFree: kb('SwapFree'), swapTotal: kb('SwapTotal') };
}

function uptime(): string {
  const s = os.uptime();
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h ${m}m ${(s % 60).toFixed(2)}s (Approximately ${(s / 86400).toFixed(2)} days)`;
}

/** Bytes of the file system that holds `dir` (its nearest existing parent). */
function fsUsage(dir: string): { allocated: number; used: number } {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const st = fs.statfsSync(d);
      return { allocated: st.blocks * st.bsize, used: (st.blocks - st.bfree) * st.bsize };
    } catch {
      if (d === path.dirname(d)) return { allocated: 0, used: 0 };
    }
  }
}

const idMap = (maps: Array<{ containerID: number; hostID: number; size: number }> | undefined) =>
  maps ? maps.map((m) => ({ container_id: m.containerID, host_id: m.hostID, size: m.size })) : null;

/**
 * `husk info`: podman's layout and names (host.arch, store.graphRoot,
 * version.Version...), where husk has the thing; husk's own findings
 * (userNamespaces, cgroups, network, kernelOverlay) next to them.
 */
export function hostInfo(ctx: Context) {
  const userns = ctx.userns();
  const subuids = ctx.rootless ? readSubids('/etc/subuid', ctx.user, ctx.uid) : [];
  const cgroups = cgroupInfo(ctx);
  const images = new ImageStore(ctx).listImages();
  const containers = new ContainerStore(ctx).list();
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const usage = fsUsage(ctx.paths.dataRoot);
  const pasta = which('pasta');
  const slirp = which('slirp4netns');
  const network = networkBackend(ctx.rootless);
  const running = containers.filter((c) => c.status === 'running');
  return {
    host: {
      arch,
      cgroupManager: cgroups.manager,
      cgroupVersion: cgroups.version.startsWith('v2') ? 'v2' : 'v1',
      cgroupControllers: cgroups.controllers,
      cpus: os.cpus().length,
      distribution: distribution(),
      eventLogger: 'file',
      hostname: os.hostname(),
      idMappings: { gidmap: idMap(userns?.gidMappings), uidmap: idMap(userns?.uidMappings) },
      kernel: os.release(),
      ...memory(),
      logDriver: 'k8s-file',
      networkBackend: network.backend,
      ociRuntime: { name: 'husk', path: process.argv[1] ?? 'husk', version: `husk version ${HUSK_VERSION}` },
      os: 'linux',
      security: {
        apparmorEnabled: false,
        capabilities: DEFAULT_CAPABILITIES.join(','),
        rootless: ctx.rootless,
        seccompEnabled: true,
        selinuxEnabled: false,
      },
      serviceIsRemote: false,
      slirp4netns: { executable: slirp ?? '' },
      pasta: { executable: pasta ?? '' },
      uptime: uptime(),
      rootless: ctx.rootless,
      userNamespaces: {
        maxUserNamespaces: Number(readOr('/proc/sys/user/max_user_namespaces', '0')),
        unprivilegedUsernsClone: readOr('/proc/sys/kernel/unprivileged_userns_clone', 'n/a'),
        newuidmap: which('newuidmap') ?? 'not installed',
        newgidmap: which('newgidmap') ?? 'not installed',
        subordinateRanges: subuids.map((r) => `${r.start}:${r.count}`),
        uidMap: userns ? userns.uidMappings.map((m) => `${m.containerID}:${m.hostID}:${m.size}`) : ['host (rootful)'],
        gidMap: userns ? userns.gidMappings.map((m) => `${m.containerID}:${m.hostID}:${m.size}`) : ['host (rootful)'],
        mapping: !userns ? 'none (rootful)' : userns.helpers ? 'subordinate range via newuidmap/newgidmap' : 'single id (fallback)',
      },
      cgroups,
      networkHelpers: {
        pasta: pasta ?? 'not installed',
        slirp4netns: slirp ?? 'not installed',
      },
      network,
    },
    store: {
      containerStore: {
        number: containers.length,
        paused: running.filter((c) => c.paused).length,
        running: running.filter((c) => !c.paused).length,
        stopped: containers.length - running.length,
      },
      graphDriverName: chooseDriver(ctx),
      graphRoot: ctx.paths.dataRoot,
      graphRootAllocated: usage.allocated,
      graphRootUsed: usage.used,
      imageStore: { number: images.length },
      runRoot: ctx.paths.runRoot,
      volumePath: path.join(ctx.paths.dataRoot, 'volumes'),
      kernelOverlay: overlayWorks(ctx),
      fuseOverlayfs: fuseOverlayfsPath() ?? 'not installed',
    },
    registries: {},
    plugins: { volume: ['local'], network: ['bridge'], log: ['k8s-file'] },
    version: versionInfo(),
  };
}
