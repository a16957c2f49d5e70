// `husk compose`: a compose project, loaded from its files (lib/compose), and
// what the engine has of it: its containers, networks and volumes, found by
// the labels docker compose puts on them (compose-service.ts).
import type { Context } from '../core/context.js';
import { loadProject, renderConfig, servicesInOrder, words, type LoadOptions, type Project, type Service } from '../compose/index.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { LABEL } from './compose-service.js';

export type { LoadOptions, Project, Service };
export { servicesInOrder, words };

export function composeProject(opts: LoadOptions): Project {
  return loadProject(opts);
}

export function composeConfig(project: Project): string {
  return renderConfig(project);
}

/** A container of the project, with the service and number its labels give. */
export interface ProjectContainer {
  view: ContainerView;
  service: string;
  number: number;
  oneoff: boolean;
}

/** The project's containers (one-off `run` ones only when asked), by service and number. */
export function projectContainers(ctx: Context, project: string, opts: { oneoff?: boolean; services?: string[] } = {}): ProjectContainer[] {
  return new ContainerStore(ctx)
    .list()
    .filter((v) => v.record.labels?.[LABEL.project] === project)
    .map((view) => {
      const l = view.record.labels!;
      return { view, service: l[LABEL.service] ?? '', number: Number(l[LABEL.number] ?? 0), oneoff: l[LABEL.oneoff] === 'True' };
    })
    .filter((c) => (opts.oneoff || !c.oneoff) && (!opts.services?.length || opts.services.includes(c.service)))
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

/** Every project that has containers, as `compose ls` lists them. */
export function listProjects(ctx: Context): Array<{ name: string; status: string; configFiles: string; running: number }> {
  const byName = new Map<string, ContainerView[]>();
  for (const v of new ContainerStore(ctx).list()) {
    const name = v.record.labels?.[LABEL.project];
    if (name) byName.set(name, [...(byName.get(name) ?? []), v]);
  }
  return [...byName]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, views]) => {
      const counts = new Map<string, number>();
      for (const v of views) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
      const status = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}(${n})`).join(', ');
      return { name, status, configFiles: views[0]!.record.labels?.[LABEL.configFiles] ?? '', running: counts.get('running') ?? 0 };
    });
}

/**
 * Runs `fn` on each container, a service's only after every service that
 * depends on it is done (orphans and one-offs first), the containers of one
 * service together.
 */
export async function inReverseOrder(project: Project, containers: ProjectContainer[], fn: (c: ProjectContainer) => Promise<unknown>): Promise<void> {
  const order = servicesInOrder(project).map((s) => s.name);
  const known = new Set(order);
  await Promise.all(containers.filter((c) => !known.has(c.service) || c.oneoff).map(fn));
  const done = new Map<string, Promise<unknown>>();
  for (const name of [...order].reverse()) {
    const dependents = order.filter((o) => project.services[o]!.depends_on[name]).flatMap((o) => done.get(o) ?? []);
    done.set(
      name,
      Promise.all(dependents).then(() => Promise.all(containers.filter((c) => c.service === name && !c.oneoff).map(fn))),
    );
  }
  const results = await Promise.allSettled(done.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Runs `fn` on each container, a service's after those it depends on, the containers of one service together. */
export async function inOrder(project: Project, containers: ProjectContainer[], fn: (c: ProjectContainer) => Promise<unknown>): Promise<void> {
  for (const svc of servicesInOrder(project)) await Promise.all(containers.filter((c) => c.service === svc.name).map(fn));
}

/** The services named and, transitively, those that depend on them with `restart: true` (restarted with them). */
export function withRestartDependents(project: Project, names: string[]): string[] {
  const out = new Set(names);
  for (let grew = true; grew; ) {
    grew = false;
    for (const svc of Object.values(project.services)) {
      if (out.has(svc.name)) continue;
      if (Object.entries(svc.depends_on).some(([d, dep]) => dep.restart && out.has(d))) {
        out.add(svc.name);
        grew = true;
      }
    }
  }
  return [...out];
}
