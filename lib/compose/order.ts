// The order services start in: each after those it depends on, as
// depends_on says; a cycle is an error of the file.
import { UsageError } from '../core/errors.js';
import type { Project, Service } from './model.js';

/**
 * The services named (all when none is) and, unless `noDeps`, those they
 * depend on, in an order where each comes after its dependencies.
 */
export function servicesInOrder(project: Project, names: string[] = [], noDeps = false): Service[] {
  for (const n of names) {
    if (!project.services[n]) {
      const why = project.disabled.includes(n) ? ' (its profile is not enabled)' : '';
      throw new UsageError(`no such service: ${n}${why}`);
    }
  }
  const wanted = new Set(names.length ? names : Object.keys(project.services));
  const order: Service[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new UsageError(`dependency cycle detected: ${[...chain, name].join(' -> ')}`);
    const svc = project.services[name];
    if (!svc) return; // an optional dependency (required: false) that is not in the project
    state.set(name, 'visiting');
    if (!noDeps || !names.length) for (const d of Object.keys(svc.depends_on)) visit(d, [...chain, name]);
    state.set(name, 'done');
    if (wanted.has(name) || !noDeps) order.push(svc);
  };
  for (const n of Object.keys(project.services).sort()) if (wanted.has(n)) visit(n, []);
  return order;
}
