// husk run [OPTIONS] IMAGE [COMMAND [ARG...]]
import type { CommandModule } from 'yargs';
import { createContainer, type CreateOptions } from '../../engine/create.js';
import { parseDetachKeys, runAttached, startContainer, type SessionEnd } from '../../engine/start.js';
import { trace } from '../../core/trace.js';
import { contextFrom, warnAboutUserns, type GlobalArgs } from '../common.js';
import { podOf, RUN_OPTIONS, toCreateOptions, type CreateArgs } from '../run-options.js';
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
    let opts: CreateOptions = { ...toCreateOptions(argv, ctx.rootless), attach: !argv.detach, startNow: true, createCommand: process.argv.slice(1) };
    const detachKeys = parseDetachKeys(argv.detachKeys); // checked before anything is made
    trace('run: options');
    if (opts.tty && process.stdout.isTTY && process.stdout.rows > 0) opts.consoleSize = { rows: process.stdout.rows, cols: process.stdout.columns };
    warnAboutUserns(ctx);
    const pod = podOf(argv);
    if (pod) opts = { ...(await inPod(ctx, pod, opts)), attach: opts.attach, startNow: true };
    const view = await createContainer(ctx, opts);
    if (argv.detach) {
      startContainer(ctx, view);
      await notifyWhenHealthy(ctx, view);
      printOut(`${view.record.id}\n`);
      return;
    }
    const end = await runAttached(ctx, view, terminalIO(), { sigProxy: argv.sigProxy, detachKeys });
    process.exitCode = exitCodeOf(end);
  },
};

/** A session's exit code: the container's, or 0 after a detach (the container runs on). */
export function exitCodeOf(end: SessionEnd): number {
  return 'detached' in end ? 0 : end.exitCode;
}

export function terminalIO() {
  return {
    // A getter: touching process.stdin loads the tty machinery, which only -i needs.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    terminalSize: () => (process.stdout.isTTY ? { rows: process.stdout.rows, cols: process.stdout.columns } : undefined),
    onResize: (fn: () => void) => {
      if (process.stdout.isTTY) process.stdout.on('resize', fn);
    },
    onOutputGone: onBrokenPipe,
  };
}
