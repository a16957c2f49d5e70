// `husk update`: new resource limits (and restart policy) for containers,
// running or not: the spec keeps them for the next start, and a running
// container's cgroup gets them at once.
import fs from 'node:fs';
import type { Resources, Spec } from '../core/oci-spec.js';
import type { Context } from '../core/context.js';
import { HuskError, UsageError } from '../core/errors.js';
import { ContainerStore, isAlive, type ContainerView, type RestartPolicy } from '../runtime/container-store.js';
import { updateContainerCgroup } from '../runtime/container-cgroup.js';
import { hasLimits } from '../runtime/resources.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { eachContainer, type ItemReport } from './bulk.js';

export interface UpdateOptions {
  resources: Resources;
  restartPolicy?: RestartPolicy;
}

export function updateContainers(ctx: Context, names: string[], opts: UpdateOptions): Promise<ItemReport[]> {
  if (!hasLimits(opts.resources) && !opts.restartPolicy) throw new UsageError('give at least one limit to change (--memory, --cpus, --pids-limit, ...) or --restart');
  return eachContainer(ctx, { names, all: false }, (view) => updateOne(ctx, view, opts));
}

function updateOne(ctx: Context, view: ContainerView, opts: UpdateOptions): void {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  if (hasLimits(opts.resources)) {
    const spec = JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec;
    const cgroupsPath = spec.linux.cgroupsPath;
    if (!cgroupsPath) throw new HuskError(`container ${view.record.name} has no cgroup of its own, so no limits (rootless: see husk info)`);
    const now = spec.linux.resources ?? {};
    const merged = {
      ...now,
      ...(opts.resources.memory ? { memory: { ...now.memory, ...opts.resources.memory } } : {}),
      ...(opts.resources.cpu ? { cpu: { ...now.cpu, ...opts.resources.cpu } } : {}),
      ...(opts.resources.pids ? { pids: opts.resources.pids } : {}),
      ...(opts.resources.blockIO ? { blockIO: { ...now.blockIO, ...opts.resources.blockIO } } : {}),
    };
    const swap = merged.memory?.swap;
    if (swap !== undefined && swap !== -1 && merged.memory?.limit !== undefined && swap < merged.memory.limit) {
      throw new UsageError(`--memory ${merged.memory.limit} is above the container's --memory-swap ${swap}: give a larger --memory-swap too`);
    }
    // The running cgroup first: a value the kernel refuses changes nothing on disk.
    if (view.status === 'running' && view.state && isAlive(view.state)) updateContainerCgroup(ctx, cgroupsPath, opts.resources);
    writeJsonAtomic(p.config, { ...spec, linux: { ...spec.linux, resources: merged } }, 0o600, false);
  }
  if (opts.restartPolicy) {
    store.locked(() => {
      const record = store.view(view.record.id)?.record;
      if (!record) throw new HuskError(`container ${view.record.name} was removed meanwhile`);
      writeJsonAtomic(p.record, { ...record, restartPolicy: opts.restartPolicy });
    });
  }
}
