// `auto-update`, as podman's (pkg/autoupdate): running containers labelled
// io.containers.autoupdate=registry (a newer image in the registry: pull it)
// or =local (a newer image of that name in the store) get their systemd unit
// restarted, the unit named by the label PODMAN_SYSTEMD_UNIT that a
// container made inside a unit of `generate systemd --new` (or Quadlet)
// carries. The restart makes the container anew from the new image; without
// a systemd that can do it, that is an error which says so.
import type { Context } from '../core/context.js';
import { HuskError, UsageError } from '../core/errors.js';
import { remoteImageId } from '../image/pull.js';
import { ImageStore } from '../image/store.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { PodStore } from '../runtime/pod-store.js';
import { pullImage, type AccessOptions } from './registry.js';
import { noSystemd, restartUnit, systemdRunning } from './systemd.js';
import { UNIT_ENV } from '../systemd/generate.js';

export const AUTO_UPDATE_LABEL = 'io.containers.autoupdate';

type Policy = 'registry' | 'local';

/** podman's names: "image" is the old name of registry; "" and disabled do nothing. */
const POLICIES: Record<string, Policy | 'disabled'> = { '': 'disabled', disabled: 'disabled', registry: 'registry', image: 'registry', local: 'local' };

export interface AutoUpdateReport {
  unit: string;
  containerId: string;
  containerName: string;
  /** The image as the container names it. */
  image: string;
  policy: Policy;
  /** true, false (nothing newer), pending (--dry-run), failed. */
  updated: 'true' | 'false' | 'pending' | 'failed';
}

export interface AutoUpdateOptions {
  dryRun: boolean;
  access: AccessOptions;
  /** For systemctl (the user's manager is found through XDG_RUNTIME_DIR). */
  env: NodeJS.ProcessEnv;
  /** Pull progress. */
  progress?: (line: string) => void;
}

interface Task {
  view: ContainerView;
  policy: Policy;
  unit: string;
  report: AutoUpdateReport;
}

/** Every labelled running container checked, grouped by unit; errors of one do not stop the others. */
export async function autoUpdate(ctx: Context, opts: AutoUpdateOptions): Promise<{ reports: AutoUpdateReport[]; errors: Error[] }> {
  const errors: Error[] = [];
  const byUnit = new Map<string, Task[]>();
  for (const task of tasks(ctx, errors)) byUnit.set(task.unit, [...(byUnit.get(task.unit) ?? []), task]);
  // Nothing is pulled for an update no systemd could restart (podman fails at connecting to it, too).
  if (!opts.dryRun && byUnit.size && !systemdRunning(ctx, opts.env)) {
    return { reports: [...byUnit.values()].flat().map((t) => t.report), errors: [...errors, noSystemd(ctx, 'auto-update restarts systemd units')] };
  }
  const pulled = new Map<string, boolean>();
  for (const [unit, unitTasks] of byUnit) {
    let changed = false;
    for (const t of unitTasks) {
      try {
        if (!(await updateAvailable(ctx, t, opts, pulled))) {
          t.report.updated = 'false';
          continue;
        }
        if (opts.dryRun) {
          t.report.updated = 'pending';
          continue;
        }
        if (t.policy === 'registry' && !pulled.get(t.report.image)) {
          await pullImage(ctx, t.report.image, { ...opts.access, progress: opts.progress });
          pulled.set(t.report.image, true);
        }
        changed = true;
      } catch (err) {
        t.report.updated = 'failed';
        errors.push(new HuskError(`checking image updates of container ${t.view.record.name}: ${(err as Error).message}`));
      }
    }
    if (!changed) continue;
    try {
      restartUnit(ctx, opts.env, unit);
      for (const t of unitTasks) if (t.report.updated !== 'false') t.report.updated = 'true';
    } catch (err) {
      for (const t of unitTasks) t.report.updated = 'failed';
      errors.push(err as Error);
    }
  }
  return { reports: [...byUnit.values()].flat().map((t) => t.report), errors };
}

/** The running containers with a policy, and their units. */
function tasks(ctx: Context, errors: Error[]): Task[] {
  const out: Task[] = [];
  for (const view of new ContainerStore(ctx).list()) {
    const value = view.record.labels?.[AUTO_UPDATE_LABEL];
    if (view.status !== 'running' || value === undefined) continue;
    const policy = POLICIES[value];
    if (policy === undefined) {
      errors.push(new UsageError(`auto-updating container ${view.record.name}: invalid policy "${value}" in the label ${AUTO_UPDATE_LABEL}: use registry or local`));
      continue;
    }
    if (policy === 'disabled') continue;
    const unit = unitOf(ctx, view);
    if (!unit) {
      errors.push(new HuskError(`auto-updating container ${view.record.name}: no ${UNIT_ENV} label: it was not made inside a unit (husk generate systemd --new, or a Quadlet file)`));
      continue;
    }
    // The registry is asked by the name the image was resolved to (fully qualified).
    const image = policy === 'registry' ? view.record.imageName : view.record.image;
    out.push({ view, policy, unit, report: { unit, containerId: view.record.id, containerName: view.record.name, image, policy, updated: 'failed' } });
  }
  return out;
}

/** A pod's member restarts with its pod: the unit is the infra's. */
function unitOf(ctx: Context, view: ContainerView): string | undefined {
  if (!view.record.pod) return view.record.labels?.[UNIT_ENV];
  const infraId = new PodStore(ctx).find(view.record.pod)?.infraId;
  const infra = infraId ? new ContainerStore(ctx).view(infraId) : undefined;
  return infra?.record.labels?.[UNIT_ENV] ?? view.record.labels?.[UNIT_ENV];
}

/** registry: the registry's image for this name is another than the container's; local: the store's is. */
async function updateAvailable(ctx: Context, t: Task, opts: AutoUpdateOptions, pulled: Map<string, boolean>): Promise<boolean> {
  if (t.policy === 'local') {
    const local = new ImageStore(ctx).findImage(t.report.image);
    if (!local) throw new HuskError(`image ${t.report.image} is not in the store any more`);
    return local.id !== t.view.record.imageId;
  }
  if (pulled.get(t.report.image)) return true;
  return (await remoteImageId(ctx, t.report.image, opts.access)) !== t.view.record.imageId;
}
