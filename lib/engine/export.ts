// `husk export`: a tar of a container's whole root file system as its
// files are (image layers plus its changes; not its volumes and other
// mounts, as docker exports it), to a file or to stdout.
import { ContainerStore } from '../runtime/container-store.js';
import { finished, spawnHelper, stdoutHelperError } from '../native/rootfs-helper.js';
import { helperErrorFrom } from '../native/helper-errors.js';
import { writeFileWhole } from '../storage/atomic.js';
import { containerRoot } from './container-root.js';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';

export interface ExportOptions {
  container: string;
  /** A file; without it, stdout. */
  output?: string;
  /** The CLI's stdout, which the archive goes to (fd 1) without `output`. */
  stdout: { isTTY?: boolean };
}

export async function exportContainer(ctx: Context, opts: ExportOptions): Promise<void> {
  if (!opts.output && opts.stdout.isTTY) throw new UsageError('cowardly refusing to export to a terminal. Use the -o flag or redirect');
  const view = new ContainerStore(ctx).get(opts.container);
  const root = containerRoot(ctx, view, { write: false, filesOnly: true });
  const call = { userns: ctx.userns(), args: ['archive', ...root.args, '--contents', '/'] };
  const what = `exporting ${view.record.name}`;
  try {
    if (!opts.output) {
      const [code, stderr] = await finished(spawnHelper(call, ['ignore', 1, 'pipe']));
      if (code !== 0) throw stdoutHelperError(what, code, stderr);
      return;
    }
    await writeFileWhole(opts.output, async (fd) => {
      const [code, stderr] = await finished(spawnHelper(call, ['ignore', fd, 'pipe']));
      if (code !== 0) throw helperErrorFrom(code, stderr, what);
    });
  } finally {
    root.cleanup();
  }
}
