// `husk info`: what this host offers a container engine, checked, not assumed.
import { DEFAULT_NETWORK } from '../core/network.js';
import { outboundCandidates } from '../network/outbound.js';
import fs from 'node:fs';
import { limitCgroups } from '../runtime/cgroup-limits.js';
import os from 'node:os';
import { ImageStore } from '../image/store.js';
import { ContainerStore } from '../runtime/container-store.js';
import { checkKernelOverlay, chooseDriver, fuseOverlayfsPath } from '../storage/driver.js';
import { readSubids } from '../core/subid.js';
import type { Context } from '../core/context.js';
import { HUSK_VERSION } from './version.js';

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

export function hostInfo(ctx: Context) {
  const userns = ctx.userns();
  const subuids = ctx.rootless ? readSubids('/etc/subuid', ctx.user, ctx.uid) : [];
  const cgroups = cgroupInfo(ctx);
  const images = new ImageStore(ctx).listImages();
  const containers = new ContainerStore(ctx).list();
  return {
    host: {
      arch: process.arch === 'x64' ? 'amd64' : process.arch,
      kernel: os.release(),
      os: 'linux',
      distribution: readOr('/etc/os-release').match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? 'unknown',
      hostname: os.hostname(),
      cpus: os.cpus().length,
      memTotal: os.totalmem(),
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
        pasta: which('pasta') ?? 'not installed',
        slirp4netns: which('slirp4netns') ?? 'not installed',
      },
      network: networkBackend(ctx.rootless),
    },
    store: {
      graphDriverName: chooseDriver(ctx),
      kernelOverlay: overlayWorks(ctx),
      fuseOverlayfs: fuseOverlayfsPath() ?? 'not installed',
      graphRoot: ctx.paths.dataRoot,
      runRoot: ctx.paths.runRoot,
      imageStore: { number: images.length },
      containerStore: {
        number: containers.length,
        running: containers.filter((c) => c.status === 'running').length,
        stopped: containers.filter((c) => c.status !== 'running').length,
      },
    },
    version: { version: HUSK_VERSION, node: process.version },
  };
}
