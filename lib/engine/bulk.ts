// Verbs that take several containers (stop, kill, restart, start, rm, prune)
// try each in turn and report per item, so one failure does not stop the
// rest; the CLI prints the reports as docker and podman do.
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';

export interface ItemReport {
  /** The name or ID as the user gave it (the ID with --all). */
  name: string;
  error?: Error;
}

/** Which containers a bulk verb acts on: the names given, or --all of those `select` accepts. */
export interface Selection {
  names: string[];
  all: boolean;
  select?: (view: ContainerView) => boolean;
}

export async function eachContainer(ctx: Context, sel: Selection, fn: (view: ContainerView) => unknown): Promise<ItemReport[]> {
  if (sel.all && sel.names.length) throw new UsageError('--all and container names cannot be used together');
  if (!sel.all && !sel.names.length) throw new UsageError('give at least one container name or ID, or --all');
  const store = new ContainerStore(ctx);
  const select = sel.select ?? (() => true);
  const targets: Array<{ given: string; view?: ContainerView }> = sel.all
    ? store.list().filter(select).map((v) => ({ given: v.record.id, view: v }))
    : sel.names.map((given) => ({ given }));
  const reports: ItemReport[] = [];
  for (const t of targets) {
    try {
      await fn(t.view ?? store.get(t.given));
      reports.push({ name: t.given });
    } catch (err) {
      reports.push({ name: t.given, error: err as Error });
    }
  }
  return reports;
}
