// husk compose up [OPTIONS] [SERVICE...]: the project made to match its
// files and started; attached (without -d) its logs follow, prefixed per
// container, until the containers exit. Ctrl-C stops the project
// gracefully, a second Ctrl-C kills it.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { Context } from '../../core/context.js';
import { inReverseOrder, type Project, type ProjectContainer } from '../../engine/compose.js';
import { composeUp, type UpOptions } from '../../engine/compose-up.js';
import { findContainer } from '../../engine/containers.js';
import { killContainer, parseSignal, stopContainer } from '../../engine/lifecycle.js';
import { many, contextFrom, lastWins } from '../common.js';
import { loadComposeProject, printProjectLogs, report, type ComposeArgs } from '../compose-options.js';

export type UpArgs = ComposeArgs & {
  services: string[];
  detach: boolean;
  build: boolean;
  noBuild: boolean;
  forceRecreate: boolean;
  noRecreate: boolean;
  renewAnonVolumes: boolean;
  noDeps: boolean;
  scale: string[];
  wait: boolean;
  waitTimeout?: number;
  removeOrphans: boolean;
  abortOnContainerExit: boolean;
  exitCodeFrom?: string;
  attach: string[];
  noAttach: string[];
  noColor: boolean;
  noLogPrefix: boolean;
  timestamps: boolean;
  timeout?: number;
  pull?: string;
  quietPull: boolean;
  start: boolean;
};

/** What up and create share. */
export const CONVERGE_OPTIONS = {
  build: { type: 'boolean', default: false, describe: 'Build images before starting containers' },
  'no-build': { type: 'boolean', default: false, describe: 'Do not build an image, even if it is missing' },
  'force-recreate': { type: 'boolean', default: false, describe: 'Recreate containers even if their configuration and image have not changed' },
  'no-recreate': { type: 'boolean', default: false, describe: 'If containers already exist, do not recreate them' },
  'renew-anon-volumes': { alias: 'V', type: 'boolean', default: false, describe: 'Recreate anonymous volumes instead of keeping the previous containers\' data' },
  'remove-orphans': { type: 'boolean', default: false, describe: 'Remove containers for services not defined in the compose file' },
  pull: { type: 'string', coerce: lastWins, describe: 'Pull images before running: always, missing, never' },
  'quiet-pull': { type: 'boolean', default: false, describe: 'Pull without printing progress' },
  scale: { ...many('Scale SERVICE to NUM instances (SERVICE=NUM); overrides scale: in the file') },
} as const;

export const composeUpCommand: CommandModule<object, UpArgs> = {
  command: 'up [services..]',
  describe: 'Create and start containers',
  builder: (y) =>
    y.options({
      ...CONVERGE_OPTIONS,
      detach: { alias: 'd', type: 'boolean', default: false, describe: 'Detached mode: run containers in the background' },
      'no-deps': { type: 'boolean', default: false, describe: "Don't start linked services" },
      wait: { type: 'boolean', default: false, describe: 'Wait for services to be running|healthy (implies detached mode)' },
      'wait-timeout': { type: 'number', coerce: lastWins, describe: 'Maximum duration in seconds to wait for the project to be running|healthy' },
      'abort-on-container-exit': { type: 'boolean', default: false, describe: 'Stops all containers if any container was stopped' },
      'exit-code-from': { type: 'string', coerce: lastWins, describe: 'Return the exit code of the selected service container (implies --abort-on-container-exit)' },
      attach: { ...many('Restrict attaching to the specified services') },
      'no-attach': { ...many('Do not attach (stream logs) to the specified services') },
      'no-color': { type: 'boolean', default: false, describe: 'Produce monochrome output' },
      'no-log-prefix': { type: 'boolean', default: false, describe: "Don't print prefix in logs" },
      timestamps: { type: 'boolean', default: false, describe: 'Show timestamps' },
      timeout: { alias: 't', type: 'number', coerce: lastWins, describe: 'Seconds to wait for containers to stop when they are recreated or stopped' },
      start: { type: 'boolean', default: true, describe: 'Start the services after creating them (--no-start: do not)' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv);
    const detach = argv.detach || argv.wait || !argv.start;
    const abort = argv.abortOnContainerExit || argv.exitCodeFrom !== undefined;
    if (detach && abort) throw new UsageError('--abort-on-container-exit and --exit-code-from cannot be used with -d or --wait');
    if (argv.exitCodeFrom !== undefined && !project.services[argv.exitCodeFrom]) throw new UsageError(`--exit-code-from ${argv.exitCodeFrom}: no such service`);
    const since = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const containers = await composeUp(ctx, project, { ...upOptions(argv), start: argv.start, wait: argv.wait, waitTimeoutMs: argv.waitTimeout === undefined ? undefined : argv.waitTimeout * 1000 });
    if (detach) return;
    const attached = containers.filter((c) => (argv.attach.length === 0 || argv.attach.includes(c.service)) && !argv.noAttach.includes(c.service));
    process.exitCode = await followProject(ctx, project, containers, attached, { argv, since, abort });
  },
};

/** The converge options of up and create, from their flags. */
export function upOptions(argv: Omit<UpArgs, 'start'> & { start?: boolean }): Omit<UpOptions, 'start' | 'wait'> {
  if (argv.build && argv.noBuild) throw new UsageError('--build and --no-build cannot be used together');
  if (argv.forceRecreate && argv.noRecreate) throw new UsageError('--force-recreate and --no-recreate cannot be used together');
  return {
    services: argv.services ?? [],
    noDeps: argv.noDeps ?? false,
    build: argv.build ? 'always' : argv.noBuild ? 'never' : 'missing',
    pull: argv.pull,
    recreate: argv.forceRecreate ? 'always' : argv.noRecreate ? 'never' : 'diverged',
    renewAnonVolumes: argv.renewAnonVolumes,
    scale: parseScale(argv.scale),
    removeOrphans: argv.removeOrphans,
    timeoutSec: argv.timeout,
    report,
    out: process.stderr,
  };
}

function parseScale(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const m = /^([^=]+)=(\d+)$/.exec(item);
    if (!m) throw new UsageError(`invalid --scale "${item}": use SERVICE=NUM`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/**
 * The attached part of up: logs until every attached container exited
 * (with --abort-on-container-exit, until the first did: then the rest are
 * stopped). Returns up's exit code.
 */
async function followProject(ctx: Context, project: Project, all: ProjectContainer[], attached: ProjectContainer[], o: { argv: UpArgs; since: string; abort: boolean }): Promise<number> {
  let exitCode = 0;
  let stopping: Promise<void> | undefined;
  let interrupts = 0;
  const stopAll = () => {
    stopping ??= inReverseOrder(project, all, (c) => stopReported(ctx, c, o.argv.timeout));
    return stopping;
  };
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      report('Gracefully stopping... (press Ctrl+C again to force)');
      exitCode = 130;
      void stopAll().catch((err: Error) => report(`Error: ${err.message}`));
    } else {
      for (const c of all) killQuietly(ctx, c);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const printer = { colour: !o.argv.noColor && process.stdout.isTTY === true, timestamps: o.argv.timestamps, prefix: !o.argv.noLogPrefix };
    await printProjectLogs(ctx, attached, { follow: true, since: o.since }, printer, async (c) => {
      const code = findContainer(ctx, c.view.record.id)?.exit?.exitCode ?? 0;
      report(`${c.view.record.name} exited with code ${code}`);
      if (o.argv.exitCodeFrom === c.service) exitCode = code;
      if (o.abort && !stopping) {
        if (o.argv.exitCodeFrom === undefined) exitCode = code;
        report('Aborting on container exit...');
        await stopAll();
      }
    });
    if (stopping) await stopping;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  return exitCode;
}

async function stopReported(ctx: Context, c: ProjectContainer, timeoutSec?: number): Promise<void> {
  const now = findContainer(ctx, c.view.record.id);
  if (!now || now.status !== 'running') return;
  report(` Container ${now.record.name}  Stopping`);
  await stopContainer(ctx, now, timeoutSec);
  report(` Container ${now.record.name}  Stopped`);
}

function killQuietly(ctx: Context, c: ProjectContainer): void {
  const now = findContainer(ctx, c.view.record.id);
  try {
    if (now?.status === 'running') killContainer(ctx, now, parseSignal('SIGKILL'));
  } catch {
    /* exited meanwhile */
  }
}
