// Verbs that take several containers (stop, kill, restart, start, ...): each
// is tried in turn; a success prints what the user named, a failure an error
// line, and the last failure sets the exit code, as docker and podman do.
import type { Context } from '../core/context.js';
import { exitCodeFor, messageFor, UsageError } from '../core/errors.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { printOut } from './output.js';

export async function forEachContainer(
  ctx: Context,
  names: string[],
  all: boolean,
  fn: (view: ContainerView) => Promise<unknown> | unknown,
  select: (view: ContainerView) => boolean = () => true,
): Promise<void> {
  if (all && names.length) throw new UsageError('--all and container names cannot be used together');
  if (!all && !names.length) throw new UsageError('give at least one container name or ID, or --all');
  const store = new ContainerStore(ctx);
  const targets: Array<{ given: string; view?: ContainerView }> = all
    ? store.list().filter(select).map((v) => ({ given: v.record.id, view: v }))
    : names.map((given) => ({ given }));
  for (const t of targets) {
    try {
      await fn(t.view ?? store.get(t.given));
      printOut(`${t.given}\n`);
    } catch (err) {
      process.stderr.write(`Error: ${messageFor(err)}\n`);
      process.exitCode = exitCodeFor(err);
    }
  }
}
