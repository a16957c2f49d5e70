// A container's mounts: what -v, --mount, --tmpfs, --volumes-from and the
// image's VOLUMEs ask for, turned into the container record's list and the
// OCI spec's mounts (planMounts, before anything is written), then the
// volumes made, filled from the image and chowned (prepareMounts, once the
// record claims the container's name).
import path from 'node:path';
import type { Mount } from '../core/oci-spec.js';
import { ContainerStore, type ContainerMount } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { randomHex } from '../core/random.js';
import { chownInContainer, copyUp, shownName, volumeNameProblem, volumeSource, volumeUsers, VolumeStore, type VolumeRecord } from '../runtime/volume-store.js';

/** One mount as the user asked for it. */
export interface MountRequest extends ContainerMount {
  /** :U, --mount U=true: the source is chowned to the container's user. */
  chown?: boolean;
  /** nocopy, volume-nocopy: a new volume is not filled from the image. */
  noCopy?: boolean;
  /** --mount volume-opt / volume-label: for a volume made on first use. */
  volumeOptions?: Record<string, string>;
  volumeLabels?: Record<string, string>;
}

/** --volumes-from CTR[:ro|rw]. */
export interface VolumesFrom {
  container: string;
  /** Overrides the mode of every mount taken; kept as it was when absent. */
  rw?: boolean;
}

export interface MountPlan {
  /** For the container record, in mount order. */
  mounts: ContainerMount[];
  /** For the OCI spec, after the default mounts. */
  oci: Mount[];
  requests: Map<string, MountRequest>;
  /** Volumes prepareMounts made: removed again when the create fails. */
  created: string[];
}

/** "/a//b/" -> "/a/b"; relative paths are the caller's error to report. */
export function cleanDestination(p: string): string {
  return path.posix.normalize(p).replace(/(.)\/+$/, '$1');
}

export function planMounts(ctx: Context, requests: MountRequest[], volumesFrom: VolumesFrom[], imageVolumes: Record<string, object> | undefined, reuse: Record<string, string> = {}): MountPlan {
  const byDest = new Map<string, MountRequest>();
  for (const r of requests) {
    const dest = cleanDestination(r.destination);
    const same = byDest.get(dest);
    // podman takes the same mount twice as once (-v /a:/b -v /a:/b); two different ones conflict.
    if (same && JSON.stringify({ ...same, destination: dest }) === JSON.stringify({ ...r, destination: dest })) continue;
    if (same) throw new UsageError(`${dest}: duplicate mount destination`);
    checkDestination(dest, dest);
    const problem = r.type === 'volume' && r.source !== '' ? volumeNameProblem(r.source) : undefined;
    if (problem) throw new UsageError(`invalid volume name "${shownName(r.source)}": ${problem} (a host directory needs an absolute path)`);
    byDest.set(dest, { ...r, destination: dest });
  }
  // Mounts of other containers, then the image's VOLUMEs, where the user asked for nothing.
  const store = new ContainerStore(ctx);
  for (const from of volumesFrom) {
    const other = store.get(from.container);
    for (const m of other.record.mounts ?? []) {
      if (m.type === 'tmpfs' || byDest.has(m.destination)) continue;
      byDest.set(m.destination, { ...m, rw: from.rw ?? m.rw });
    }
  }
  for (const v of Object.keys(imageVolumes ?? {})) {
    const dest = cleanDestination(path.posix.join('/', v));
    if (dest === '/' || byDest.has(dest)) continue;
    checkDestination(dest, `the image's VOLUME ${dest}`);
    byDest.set(dest, { type: 'volume', source: '', destination: dest, rw: true, options: ['rbind'], anonymous: true });
  }
  for (const r of byDest.values()) {
    if (r.type === 'volume' && r.source === '') {
      // One that still exists keeps its data (and is not copied up again).
      const kept = reuse[r.destination];
      r.source = kept && new VolumeStore(ctx).read(kept) ? kept : randomHex(32);
      r.anonymous = true;
    }
  }
  // Parents before children: /a must not be mounted over /a/b.
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  const sorted = [...byDest.values()].sort((a, b) => depth(a.destination) - depth(b.destination));
  const volumes = new VolumeStore(ctx);
  return {
    mounts: sorted.map(({ type, source, destination, rw, options, anonymous }) => ({ type, source, destination, rw, options, ...(anonymous ? { anonymous } : {}) })),
    oci: sorted.map((m) => ociMount(volumes, m, volumes.read(m.source))),
    requests: byDest,
    created: [],
  };
}

/**
 * Refuses what nothing may be mounted over: the container's /proc and its
 * process directories (/proc/self, /proc/PID), which the runtime itself
 * uses until the container's command runs. Without this the start fails
 * with a message about an exec FIFO under /proc/self/fd. Files such as
 * /proc/cpuinfo stay allowed (lxcfs mounts those).
 */
function checkDestination(dest: string, what: string): void {
  if (/^\/proc(\/(self|thread-self|\d+)(\/.*)?)?$/.test(dest)) {
    throw new UsageError(`${what}: nothing can be mounted over /proc or the process directories in it (/proc/self, /proc/PID): the container needs them to start`);
  }
}

const PROPAGATION = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable']);

function ociMount(volumes: VolumeStore, m: MountRequest, volume: VolumeRecord | undefined): Mount {
  const mode = m.rw ? 'rw' : 'ro';
  // ramfs and devpts (--mount type=ramfs|devpts) are kept as tmpfs-like mounts whose source names their type.
  if (m.type === 'tmpfs') {
    const fsType = m.source === 'ramfs' || m.source === 'devpts' ? m.source : 'tmpfs';
    return { destination: m.destination, type: fsType, source: fsType, options: [...m.options, mode] };
  }
  let source = m.source;
  if (m.type === 'volume') {
    const from = volumeSource(volume ?? { options: m.volumeOptions ?? {} });
    if (from.kind === 'tmpfs') return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...from.options, mode] };
    source = from.kind === 'bind' ? from.device : volumes.paths(m.source).data;
  }
  const options = m.options.some((o) => PROPAGATION.has(o)) ? [...m.options] : [...m.options, 'rprivate'];
  if (!options.includes('bind') && !options.includes('rbind')) options.unshift('rbind');
  return { destination: m.destination, type: 'bind', source, options: [...options, mode] };
}

/**
 * Makes the volumes the container names and does not find, fills each new
 * one from the image at its mount point (docker's copy-up; not for nocopy),
 * refuses a volume whose data directory is not a plain directory, and
 * chowns the sources marked U to the container's user.
 */
export function prepareMounts(ctx: Context, plan: MountPlan, opts: { layerDirsBottomFirst: string[]; uid: number; gid: number }): void {
  const volumes = new VolumeStore(ctx);
  for (const r of plan.requests.values()) {
    if (r.type === 'volume') {
      volumes.locked(() => {
        let v = volumes.read(r.source);
        if (!v) {
          v = volumes.create({ name: r.source, anonymous: r.anonymous, options: r.volumeOptions, labels: r.volumeLabels });
          plan.created.push(v.name);
        }
        const from = volumeSource(v);
        if (from.kind !== 'data') return;
        const data = volumes.safeDataDir(v.name);
        if (v.needsCopyUp) {
          if (!r.noCopy) copyUp(ctx, data, r.destination, opts.layerDirsBottomFirst);
          volumes.update({ ...v, needsCopyUp: false });
        }
        if (r.chown) chownInContainer(ctx, data, opts.uid, opts.gid, true);
      });
    } else if (r.type === 'bind' && r.chown) {
      chownInContainer(ctx, r.source, opts.uid, opts.gid, true);
    }
  }
}

/** After a failed create: the volumes it made go again (unless another container took them meanwhile). */
export function undoMounts(ctx: Context, plan: MountPlan): void {
  if (plan.created.length === 0) return;
  const volumes = new VolumeStore(ctx);
  try {
    volumes.locked(() => {
      const users = volumeUsers(ctx);
      for (const n of plan.created) if (!users.has(n)) volumes.remove(n);
    });
  } catch {
    /* left for `volume prune` */
  }
}
