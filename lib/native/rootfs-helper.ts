// Runs husk-userns' root file system commands (addon/userns/rootfs.cc):
// stat, archive and extract inside a container's root (every path resolved
// with RESOLVE_IN_ROOT), and changes / layer-tar of an upper directory. The
// root is given as husk-userns arguments (see containerRoot in
// lib/engine/container-root.ts); rootless, the helper runs in a user
// namespace with the containers' mapping, so file owners read and written
// are the container's ids.
import os from 'node:os';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import type { UserNamespace } from '../core/context.js';
import { BrokenPipeError, HuskError } from '../core/errors.js';
import { usernsHelperPath } from './binding.js';
import { lazyChildProcess } from '../core/lazy.js';
import { usernsArgs } from './userns-helper.js';
import { helperErrorFrom, warningsIn } from './helper-errors.js';

/** What `husk-userns stat` says about a path in a root. */
export interface RootStat {
  /** The path's parent resolves to a directory. */
  parentDir: boolean;
  exists: boolean;
  /** The entry itself (not followed). */
  type?: 'dir' | 'file' | 'symlink' | 'other';
  /** For a symlink: what it leads to inside the root. */
  followed?: 'dir' | 'file' | 'symlink' | 'other' | 'missing';
}

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

/** One husk-userns process: its command line and its namespace (none: as husk itself). */
export interface HelperCall {
  userns?: UserNamespace;
  args: string[];
}

/**
 * A helper writing to husk's stdout that failed: killed by SIGPIPE (141, as
 * `finished` gives it) when the reader went away, which husk reports as
 * quietly as a broken pipe of its own (lib/cli/output.ts).
 */
export function stdoutHelperError(what: string, code: number, stderr: string): Error {
  return code === 141 ? new BrokenPipeError(what) : helperErrorFrom(code, stderr, what);
}

export function spawnHelper(call: HelperCall, stdio: StdioOptions): ChildProcess {
  return lazyChildProcess().spawn(usernsHelperPath(), [...usernsArgs(call.userns), '--', ...call.args], { stdio });
}

/** Collects a child's stderr and waits for its exit: [code, stderr]. */
export function finished(child: ChildProcess): Promise<[number, string]> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve([code ?? (signal === 'SIGPIPE' ? 141 : 128), stderr]));
  });
}

/** Runs a helper to completion and returns its stdout; a failure becomes a HelperError. */
export async function runHelper(call: HelperCall, what: string): Promise<string> {
  const child = spawnHelper(call, ['ignore', 'pipe', 'pipe']);
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const [code, stderr] = await finished(child);
  if (code !== 0) throw helperErrorFrom(code, stderr, what);
  return stdout;
}

export async function statInRoot(userns: UserNamespace | undefined, root: string[], path: string, what: string): Promise<RootStat> {
  const out = await runHelper({ userns, args: ['stat', ...root, path] }, what);
  return JSON.parse(out) as RootStat;
}

export async function listChanges(userns: UserNamespace | undefined, args: string[], what: string): Promise<Change[]> {
  const out = await runHelper({ userns, args: ['changes', ...args] }, what);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Change);
}

/**
 * A helper's stdout as a stream that ends only once the helper exited 0;
 * otherwise it fails with the helper's message, so a consumer never takes a
 * cut-off tar for a whole one.
 */
export function helperOutput(call: HelperCall, what: string): Readable {
  const child = spawnHelper(call, ['ignore', 'pipe', 'pipe']);
  const out = new PassThrough();
  child.stdout!.pipe(out, { end: false });
  void finished(child).then(
    ([code, stderr]) => {
      if (code === 0) out.end();
      else out.destroy(helperErrorFrom(code, stderr, what));
    },
    (err: Error) => out.destroy(new HuskError(`${what}: ${err.message}`)),
  );
  return out;
}

/**
 * `producer | consumer`: two helpers joined by a pipe that Node never reads
 * (each may run in its own namespace). The producer's stdin and the
 * consumer's stdout are given (an fd, 'ignore' or 'pipe'). A failure names
 * its cause: a consumer that refused the archive makes the producer die of
 * SIGPIPE, which is no news.
 */
export async function pipeHelpers(
  producer: HelperCall & { stdin?: number | 'ignore' | 'pipe' },
  consumer: HelperCall & { stdout?: number | 'ignore' | 'pipe' },
  what: string,
): Promise<string[]> {
  const p = spawnHelper(producer, [producer.stdin ?? 'ignore', 'pipe', 'pipe']);
  const c = spawnHelper(consumer, [p.stdout!, consumer.stdout ?? 'pipe', 'pipe']);
  // The consumer holds the pipe now; ours would keep it open after it exits.
  p.stdout!.destroy();
  c.stdout?.resume();
  const [[pc, perr], [cc, cerr]] = await Promise.all([finished(p), finished(c)]);
  // The producer's own failure (a path it could not read) is the cause of
  // whatever the consumer made of a cut-off archive; a pipe the consumer
  // closed is no cause of anything.
  const producerError = pc !== 0 ? helperErrorFrom(pc, perr, what) : undefined;
  const pipeClosed = pc === 141 || producerError?.errno === os.constants.errno.EPIPE;
  if (producerError && !pipeClosed) throw producerError;
  if (cc !== 0) throw helperErrorFrom(cc, cerr, what);
  if (producerError) throw producerError;
  return [...warningsIn(perr), ...warningsIn(cerr)];
}
