// `husk cp`: files between a container and the host, or a tar stream on
// stdin/stdout, with docker's semantics (a file onto a file or into a
// directory; a directory into a directory, or its contents with "SRC/.";
// a missing destination made from the source; `-L` follows a final symlink
// of the source).
//
// Two husk-userns processes joined by a pipe do the work: one writes a tar
// of the source, the other extracts it. In the container every path is
// resolved inside its root (a symlink to / leads to the container's /); on
// the host the entries are written beneath the destination directory and
// never through a symlink that leaves it. Each side runs as the user it
// writes for: the container's side in the containers' user namespace
// (rootless), the host's side as the invoking user.
import fs from 'node:fs';
import path from 'node:path';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { finished, pipeHelpers, spawnHelper, statInRoot, stdoutHelperError, type HelperCall, type RootStat } from '../native/rootfs-helper.js';
import { helperErrorFrom, warningsIn } from '../native/helper-errors.js';
import { containerRoot, withWritableRoot } from './container-root.js';
import type { Context } from '../core/context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import type { Spec } from '../core/oci-spec.js';

export type CpEndpoint = { kind: 'stream' } | { kind: 'host'; path: string } | { kind: 'container'; container: string; path: string };

export interface CpOptions {
  source: string;
  destination: string;
  /** -a: keep uid/gid; else the files belong to the container's root (in) or the invoking user (out). */
  archive: boolean;
  /** -L: follow a symlink that is the source. */
  followLink: boolean;
  /** Which of the CLI's stdin and stdout (fds 0 and 1, where `-` reads and writes) are terminals. */
  terminal: { stdin: boolean; stdout: boolean };
}

/** docker's reading of a cp argument: "-", a local path, or CONTAINER:PATH. */
export function parseCpArg(arg: string): CpEndpoint {
  if (arg === '-') return { kind: 'stream' };
  // A local path may hold a colon; one that starts with / or . is local for sure.
  const colon = arg.indexOf(':');
  if (arg.startsWith('/') || arg.startsWith('.') || colon < 0) {
    if (arg === '') throw new UsageError('an empty path is not a valid SRC or DEST: give a local path, "-" or CONTAINER:PATH');
    return { kind: 'host', path: arg };
  }
  const container = arg.slice(0, colon);
  const p = arg.slice(colon + 1);
  if (p === '') throw new UsageError(`"${arg}": the path in the container is empty: use CONTAINER:PATH, e.g. ${container}:/etc/hostname`);
  if (p.includes('\0')) throw new UsageError(`"${arg}": the path holds a NUL byte`);
  // A relative path is relative to the container's WORKDIR, as podman's: resolved once the container is known.
  return { kind: 'container', container, path: p };
}

const endsWithDot = (p: string) => p === '.' || p.endsWith('/.');
const endsWithSlash = (p: string) => p.endsWith('/');

function baseName(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '' : path.posix.basename(trimmed);
}

function dirName(p: string): string {
  const trimmed = p.replace(/\/+$/, '') || '/';
  return path.posix.dirname(trimmed);
}

export interface DestInfo {
  exists: boolean;
  isDir: boolean;
  /** The parent exists and is a directory. */
  parentDir: boolean;
}

/** Where the source goes: extracted into `destDir`, its top entry named `name` (or its contents there). */
export interface CopyPlan {
  destDir: string;
  name?: string;
  contents: boolean;
}

/** docker cp's rules for a source (file or directory) and a destination. */
export function planCopy(srcPath: string, srcIsDir: boolean, destPath: string, dest: DestInfo): CopyPlan {
  const srcName = baseName(srcPath);
  if (dest.exists && dest.isDir) {
    if (srcIsDir && (endsWithDot(srcPath) || srcName === '')) return { destDir: destPath, contents: true };
    return { destDir: destPath, name: srcName, contents: false };
  }
  if (dest.exists) {
    if (srcIsDir) throw new UsageError(`cannot copy a directory to a file: ${destPath} exists and is not a directory`);
    if (endsWithSlash(destPath)) throw new UsageError(`${destPath}: not a directory`);
    return { destDir: dirName(destPath), name: baseName(destPath), contents: false };
  }
  if (endsWithSlash(destPath) && !srcIsDir) throw new NotFoundError(`${destPath}: no such directory: the destination directory must exist`);
  if (!dest.parentDir) throw new NotFoundError(`${dirName(destPath)}: no such directory`);
  if (baseName(destPath) === '') throw new UsageError(`${destPath}: not a valid destination`);
  return { destDir: dirName(destPath), name: baseName(destPath), contents: false };
}

const dirLike = (s: RootStat) => s.exists && (s.type === 'dir' || (s.type === 'symlink' && s.followed === 'dir'));

/** What was copied with a warning (a socket, a device node skipped). */
export interface CpReport {
  warnings: string[];
}

export async function copy(ctx: Context, opts: CpOptions): Promise<CpReport> {
  const src = parseCpArg(opts.source);
  const dest = parseCpArg(opts.destination);
  if (src.kind === 'stream' && dest.kind === 'stream') throw new UsageError('"-" can be SRC or DEST, not both: one of them must be CONTAINER:PATH');
  // A tar archive is no thing to type in or to look at.
  if (src.kind === 'stream' && opts.terminal.stdin) throw new UsageError('refusing to read a tar archive from a terminal: redirect stdin (cp - CONTAINER:DIR < archive.tar)');
  if (dest.kind === 'stream' && opts.terminal.stdout) throw new UsageError('cowardly refusing to write a tar archive to a terminal: redirect stdout');
  const store = new ContainerStore(ctx);
  if (src.kind === 'container' && dest.kind === 'container') {
    const [from, to] = [store.get(src.container), store.get(dest.container)];
    return betweenContainers(ctx, from, inWorkdir(ctx, from, src.path), to, inWorkdir(ctx, to, dest.path), opts);
  }
  if (src.kind === 'container') {
    const view = store.get(src.container);
    const p = inWorkdir(ctx, view, src.path);
    return dest.kind === 'stream' ? toStream(ctx, view, p, opts) : toHost(ctx, view, p, dest.path, opts);
  }
  if (dest.kind === 'container') {
    const view = store.get(dest.container);
    const p = inWorkdir(ctx, view, dest.path);
    return src.kind === 'stream' ? fromStream(ctx, view, p, opts) : fromHost(ctx, view, src.path, p, opts);
  }
  throw new UsageError(`one of SRC and DEST must be CONTAINER:PATH: "${opts.source}" and "${opts.destination}" are both local`);
}

/** A relative path in a container from its WORKDIR (its spec's cwd), keeping a trailing "/" or "/.". */
export function inWorkdir(ctx: Context, view: ContainerView, p: string): string {
  if (p.startsWith('/')) return p;
  let cwd = '/';
  try {
    cwd = (JSON.parse(fs.readFileSync(new ContainerStore(ctx).paths(view.record.id).config, 'utf8')) as Spec).process.cwd || '/';
  } catch {
    /* a container cut short by a crash: its / */
  }
  const suffix = endsWithDot(p) ? '/.' : endsWithSlash(p) ? '/' : '';
  return path.posix.join(cwd, p).replace(/\/+$/, '') + suffix || '/';
}

/**
 * CONTAINER:SRC to CONTAINER:DEST (podman's): the one's archive, the other's
 * extraction, each with its own root; the plan as for a copy into a container.
 */
async function betweenContainers(ctx: Context, from: ContainerView, srcPath: string, to: ContainerView, destPath: string, opts: CpOptions): Promise<CpReport> {
  const root = containerRoot(ctx, from, { write: false });
  try {
    const { isDir, follow } = await sourceInContainer(ctx, from, root.args, srcPath, opts);
    return await withWritableRoot(ctx, to, destPath, async (destRoot) => {
      const dst = await statInRoot(ctx.userns(), destRoot.args, destPath, `${to.record.name}:${destPath}`);
      const plan = planCopy(srcPath, isDir, destPath, { exists: dst.exists, isDir: dirLike(dst), parentDir: dst.parentDir });
      const warnings = await pipeHelpers(
        { userns: ctx.userns(), args: ['archive', ...root.args, ...archiveArgs(srcPath, plan, follow)] },
        extractInContainer(ctx, destRoot.args, plan.destDir, opts),
        `copying ${from.record.name}:${srcPath} to ${to.record.name}:${destPath}`,
      );
      return { warnings };
    });
  } finally {
    root.cleanup();
  }
}

function follows(p: string, opts: CpOptions): boolean {
  // "dir/" and "dir/." name what a symlink "dir" leads to, as docker resolves them.
  return opts.followLink || endsWithSlash(p) || endsWithDot(p);
}

/** What a source in a container is: a directory or not, and whether its final symlink is followed. */
async function sourceInContainer(ctx: Context, view: ContainerView, root: string[], p: string, opts: CpOptions): Promise<{ isDir: boolean; follow: boolean }> {
  const st = await statInRoot(ctx.userns(), root, p, `${view.record.name}:${p}`);
  const missing = () => new NotFoundError(`could not find "${p}" in container ${view.record.name}: no such file or directory`);
  if (!st.exists) throw missing();
  // A symlink to a directory is followed, as podman's cp follows it; to a file, only with -L, as docker's.
  const follow = follows(p, opts) || (st.type === 'symlink' && st.followed === 'dir');
  const isDir = follow ? dirLike(st) : st.type === 'dir';
  if (follow && st.type === 'symlink' && st.followed === 'missing') throw missing();
  if ((endsWithSlash(p) || endsWithDot(p)) && !isDir) throw new UsageError(`${view.record.name}:${p}: not a directory`);
  return { isDir, follow };
}

function archiveArgs(p: string, plan: { name?: string; contents: boolean }, follow: boolean): string[] {
  const args = follow ? ['--follow'] : [];
  if (plan.contents || !plan.name) args.push('--contents');
  else args.push('--name', plan.name);
  return [...args, p];
}

/** The container's side of an extraction: owners kept (-a) or the container's root. */
function extractInContainer(ctx: Context, root: string[], destDir: string, opts: CpOptions): HelperCall {
  const userns = ctx.userns();
  const owners = opts.archive ? (userns && !userns.helpers ? ['--ignore-chown-errors'] : []) : ['--chown', '0:0'];
  return { userns, args: ['extract', ...root, ...owners, destDir] };
}

async function toStream(ctx: Context, view: ContainerView, p: string, opts: CpOptions): Promise<CpReport> {
  const root = containerRoot(ctx, view, { write: false });
  try {
    const { isDir, follow } = await sourceInContainer(ctx, view, root.args, p, opts);
    const contents = isDir && (endsWithDot(p) || baseName(p) === '');
    return await runArchiveTo({ userns: ctx.userns(), args: ['archive', ...root.args, ...archiveArgs(p, { name: baseName(p), contents }, follow)] }, 1, `${view.record.name}:${p}`);
  } finally {
    root.cleanup();
  }
}

/** Runs an archive writing straight to `fd` (stdout), failing with its message. */
async function runArchiveTo(call: HelperCall, fd: number, what: string): Promise<CpReport> {
  const child = spawnHelper(call, ['ignore', fd, 'pipe']);
  const [code, stderr] = await finished(child);
  if (code !== 0) throw stdoutHelperError(what, code, stderr);
  return { warnings: warningsIn(stderr) };
}

async function fromStream(ctx: Context, view: ContainerView, p: string, opts: CpOptions): Promise<CpReport> {
  return withWritableRoot(ctx, view, p, async (root) => {
    const st = await statInRoot(ctx.userns(), root.args, p, `${view.record.name}:${p}`);
    if (!dirLike(st)) {
      throw new NotFoundError(`${view.record.name}:${p}: ${st.exists ? 'not a directory' : 'no such directory'}: a tar stream on stdin is extracted into an existing directory`);
    }
    const call = extractInContainer(ctx, root.args, p, opts);
    const child = spawnHelper(call, [0, 'ignore', 'pipe']);
    const [code, stderr] = await finished(child);
    if (code !== 0) throw helperErrorFrom(code, stderr, `copying into ${view.record.name}:${p}`);
    return { warnings: warningsIn(stderr) };
  });
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function hostDest(p: string): { path: string; info: DestInfo } {
  let target = p;
  try {
    // A destination that is a symlink is followed, as docker follows it: the user named it.
    if (fs.lstatSync(p).isSymbolicLink()) target = fs.realpathSync(p);
  } catch {
    /* missing, or a dangling symlink: replaced */
  }
  const isDir = (q: string) => {
    try {
      return fs.statSync(q).isDirectory();
    } catch {
      return undefined;
    }
  };
  const self = isDir(target);
  const exists = self !== undefined || fs.existsSync(target);
  return { path: target + (endsWithSlash(p) && !endsWithSlash(target) ? '/' : ''), info: { exists, isDir: self === true, parentDir: isDir(dirName(path.resolve(target))) === true } };
}

async function toHost(ctx: Context, view: ContainerView, p: string, hostPath: string, opts: CpOptions): Promise<CpReport> {
  const root = containerRoot(ctx, view, { write: false });
  try {
    const { isDir, follow } = await sourceInContainer(ctx, view, root.args, p, opts);
    const dest = hostDest(hostPath);
    const plan = planCopy(p, isDir, dest.path, dest.info);
    const userns = ctx.userns();
    // -a keeps the container's owners (rootless: through the mapping); else
    // the files are the user's, and a container gives the host no setuid
    // or setgid programs and no device nodes.
    const owners = opts.archive ? (userns && !userns.helpers ? ['--ignore-chown-errors'] : []) : ['--chown', `${ctx.uid}:${ctx.gid}`, '--no-privileges'];
    const warnings = await pipeHelpers(
      { userns, args: ['archive', ...root.args, ...archiveArgs(p, plan, follow)] },
      { userns: opts.archive ? userns : undefined, args: ['extract', '--beneath', ...owners, path.resolve(plan.destDir)] },
      `copying ${view.record.name}:${p} to ${hostPath}`,
    );
    return { warnings };
  } finally {
    root.cleanup();
  }
}

async function fromHost(ctx: Context, view: ContainerView, hostPath: string, p: string, opts: CpOptions): Promise<CpReport> {
  const abs = path.resolve(hostPath) + (endsWithDot(hostPath) ? '/.' : endsWithSlash(hostPath) ? '/' : '');
  let st: fs.Stats;
  let follow = follows(hostPath, opts);
  try {
    st = follow ? fs.statSync(abs) : fs.lstatSync(abs.replace(/\/\.?$/, '') || '/');
    // A symlink to a directory is followed, as podman's cp follows it.
    if (st.isSymbolicLink() && statOrUndefined(abs)?.isDirectory()) [st, follow] = [fs.statSync(abs), true];
  } catch {
    throw new NotFoundError(`${hostPath}: no such file or directory`);
  }
  const isDir = st.isDirectory();
  if ((endsWithSlash(hostPath) || endsWithDot(hostPath)) && !isDir) throw new UsageError(`${hostPath}: not a directory`);
  return withWritableRoot(ctx, view, p, async (root) => {
    const dst = await statInRoot(ctx.userns(), root.args, p, `${view.record.name}:${p}`);
    const plan = planCopy(hostPath, isDir, p, { exists: dst.exists, isDir: dirLike(dst), parentDir: dst.parentDir });
    const warnings = await pipeHelpers(
      // The host's side reads as the invoking user: no namespace.
      { args: ['archive', '--root-dir', '/', ...archiveArgs(abs, plan, follow)] },
      extractInContainer(ctx, root.args, plan.destDir, opts),
      `copying ${hostPath} to ${view.record.name}:${p}`,
    );
    return { warnings };
  });
}
