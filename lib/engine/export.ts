// `husk export`: a tar of a container's whole root file system as its
// files are (image layers plus its changes; not its volumes and other
// mounts, as docker exports it), to a file or to stdout.
import fs from 'node:fs';
import path from 'node:path';
import { ContainerStore } from '../runtime/container-store.js';
import { finished, helperFailure, spawnHelper } from '../storage/rootfs-helper.js';
import { randomHex } from '../util/random.js';
import { containerRoot } from './container-root.js';
import type { Context } from './context.js';
import { HuskError, UsageError } from './errors.js';

export interface ExportOptions {
  container: string;
  /** A file; without it, stdout. */
  output?: string;
  stdout?: { isTTY?: boolean };
}

export async function exportContainer(ctx: Context, opts: ExportOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  if (!opts.output && stdout.isTTY) throw new UsageError('cowardly refusing to export to a terminal. Use the -o flag or redirect');
  const view = new ContainerStore(ctx).get(opts.container);
  const root = containerRoot(ctx, view, { write: false, filesOnly: true });
  const call = { userns: ctx.userns(), args: ['archive', ...root.args, '--contents', '/'] };
  const what = `exporting ${view.record.name}`;
  try {
    if (!opts.output) {
      const [code, stderr] = await finished(spawnHelper(call, ['ignore', 1, 'pipe']));
      if (code !== 0) throw new HuskError(`${what}: ${helperFailure(code, stderr)}`);
      return;
    }
    // The archive appears whole under its name, or not at all.
    const file = path.resolve(opts.output);
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomHex(6)}.tmp`);
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'wx', 0o644);
    } catch (err) {
      throw new HuskError(`${opts.output}: cannot write: ${(err as Error).message}`);
    }
    try {
      const [code, stderr] = await finished(spawnHelper(call, ['ignore', fd, 'pipe']));
      if (code !== 0) throw new HuskError(`${what}: ${helperFailure(code, stderr)}`);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = -1;
      fs.renameSync(tmp, file);
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  } finally {
    root.cleanup();
  }
}
