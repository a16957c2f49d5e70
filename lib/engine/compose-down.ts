// `compose down`, and the verbs that act on the project's containers
// (stop, kill, rm, ...) in dependency order: dependents stop before what
// they depend on, each service's containers at once.
import type { Context } from '../core/context.js';
import type { Project } from '../compose/index.js';
import { inReverseOrder, projectContainers } from './compose.js';
import { removeServiceContainer } from './compose-up.js';
import { removeImages } from './images.js';
import { networkExists, removeNetworks } from './networks.js';
import { serviceImage } from './compose-service.js';
import { removeVolumes, volumeExists } from './volumes.js';

export interface DownOptions {
  /** -v: the project's named volumes too (anonymous ones always go with their containers). */
  volumes: boolean;
  rmi?: 'local' | 'all';
  removeOrphans: boolean;
  timeoutSec?: number;
  report: (line: string) => void;
}

export async function composeDown(ctx: Context, project: Project, opts: DownOptions): Promise<void> {
  const known = new Set([...Object.keys(project.services), ...project.disabled]);
  const all = projectContainers(ctx, project.name, { oneoff: true });
  const orphans = all.filter((c) => !known.has(c.service));
  if (orphans.length && !opts.removeOrphans) {
    opts.report(`WARN: Found orphan containers (${orphans.map((c) => c.view.record.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  const containers = opts.removeOrphans ? all : all.filter((c) => known.has(c.service));
  await inReverseOrder(project, containers, (c) => removeServiceContainer(ctx, c.view, opts.timeoutSec, opts.report));

  for (const n of Object.values(project.networks)) {
    if (n.external || !networkExists(ctx, n.name)) continue;
    opts.report(` Network ${n.name}  Removing`);
    const [r] = await removeNetworks(ctx, [n.name], { force: false });
    if (r?.error) throw r.error;
    opts.report(` Network ${n.name}  Removed`);
  }
  if (opts.volumes) {
    for (const v of Object.values(project.volumes)) {
      if (v.external || !volumeExists(ctx, v.name)) continue;
      opts.report(` Volume ${v.name}  Removing`);
      const [r] = await removeVolumes(ctx, [v.name], { force: false });
      if (r?.error) throw r.error;
      opts.report(` Volume ${v.name}  Removed`);
    }
  }
  if (opts.rmi) {
    const images = Object.values(project.services)
      .filter((s) => opts.rmi === 'all' || !s.image)
      .map((s) => serviceImage(project, s));
    for (const r of await removeImages(ctx, [...new Set(images)], { force: false })) {
      if (!r.error) opts.report(` Image ${r.given}  Removed`);
    }
  }
}
