// husk run [OPTIONS] IMAGE [COMMAND [ARG...]]
import { Writable } from 'node:stream';
import type { CommandModule } from 'yargs';
import { createContainer, type CreateOptions } from '../../engine/create.js';
import { parseDetachKeys, runAttached, startContainer, type AttachIO, type SessionEnd } from '../../engine/start.js';
import { killAfter, requiredContainers } from '../../engine/create-extras.js';
import { UsageError } from '../../core/errors.js';
import type { Context } from '../../core/context.js';
import { trace } from '../../core/trace.js';
import { contextFrom, warnAboutUserns, type GlobalArgs } from '../common.js';
import { podOf, RUN_OPTIONS, toCreateOptions, type CreateArgs } from '../run-options.js';
import { attachStreams, TIMEOUT_NEEDS_SESSION } from '../run-podman-options.js';
import { notifyWhenHealthy } from '../../engine/sdnotify.js';
import { onBrokenPipe, printOut } from '../output.js';
import { inPod } from './pod-create.js';

type RunArgs = CreateArgs & GlobalArgs & { detach: boolean; sigProxy: boolean; detachKeys?: string };

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <image> [command..]',
  describe: 'Run a command in a new container',
  builder: (y) => y.options(RUN_OPTIONS).parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    trace('run: handler');
    const ctx = contextFrom(argv);
    let opts: CreateOptions = { ...toCreateOptions(argv, ctx.rootless), attach: !argv.detach, startNow: true, preserveFds: argv.preserveFds, createCommand: process.argv.slice(1) };
    const detachKeys = parseDetachKeys(argv.detachKeys); // checked before anything is made
    const streams = attachStreams(argv.attach);
    if (streams && argv.detach) throw new UsageError('--attach and --detach cannot be used together');
    if (argv.timeout && argv.detach) throw new UsageError(TIMEOUT_NEEDS_SESSION);
    if (argv.rmi && !argv.rm) throw new UsageError('--rmi needs --rm: the image is removed with the container');
    trace('run: options');
    if (opts.tty && process.stdout.isTTY && process.stdout.rows > 0) opts.consoleSize = { rows: process.stdout.rows, cols: process.stdout.columns };
    warnAboutUserns(ctx);
    const required = requiredContainers(ctx, argv.requires);
    const pod = podOf(argv);
    if (pod) opts = { ...(await inPod(ctx, pod, opts)), attach: opts.attach, startNow: true };
    for (const dep of required) if (dep.status !== 'running') startContainer(ctx, dep);
    const view = await createContainer(ctx, opts);
    if (argv.detach) {
      startContainer(ctx, view);
      await notifyWhenHealthy(ctx, view);
      printOut(`${view.record.id}\n`);
      return;
    }
    const stopTimer = killAfter(ctx, view.record.id, argv.timeout);
    const end = await runAttached(ctx, view, terminalIO(streams), { sigProxy: argv.sigProxy, detachKeys, ...(streams && !streams.has('stdin') ? { stdin: false } : {}) }).finally(stopTimer);
    process.exitCode = exitCodeOf(end);
    if (argv.rmi && !('detached' in end)) await removeImageQuietly(ctx, argv.image);
  },
};

/** --rmi: the image as named goes (a name of several only untagged) when nothing else uses it; in use, it stays, as podman leaves it. */
async function removeImageQuietly(ctx: Context, image: string): Promise<void> {
  const { removeImages } = await import('../../engine/images.js');
  const [report] = await removeImages(ctx, [image], { force: false });
  if (report?.error) process.stderr.write(`WARN: --rmi: ${report.error.message}\n`);
}

/** A session's exit code: the container's, or 0 after a detach (the container runs on). */
export function exitCodeOf(end: SessionEnd): number {
  return 'detached' in end ? 0 : end.exitCode;
}

/** Our terminal; with -a, the streams not named go nowhere. */
export function terminalIO(streams?: Set<string>): AttachIO {
  const sink = () => new Writable({ write: (_chunk, _enc, done) => done() });
  return {
    // A getter: touching process.stdin loads the tty machinery, which only -i needs.
    get stdin() {
      return process.stdin;
    },
    stdout: !streams || streams.has('stdout') ? process.stdout : sink(),
    stderr: !streams || streams.has('stderr') ? process.stderr : sink(),
    terminalSize: () => (process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : undefined),
    onResize: (fn: () => void) => {
      if (process.stdout.isTTY) process.stdout.on('resize', fn);
    },
    onOutputGone: onBrokenPipe,
  };
}
