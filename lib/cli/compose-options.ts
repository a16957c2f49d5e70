// What the `husk compose` subcommands share: the group's options (-f, -p,
// --env-file, --profile, --project-directory), loading the project they
// name, progress lines, the containers of the services a command names,
// and the coloured `web-1  | ` prefix of their logs.
import fs from 'node:fs';
import chalk from 'chalk';
import { UsageError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import { composeProject, inOrder, inReverseOrder, projectContainers, type Project, type ProjectContainer } from '../engine/compose.js';
import type { ContainerView } from '../engine/containers.js';
import { streamLogs } from '../engine/logs.js';
import { logOptions, logWriter } from './log-options.js';
import { many, contextFrom, lastWins, type GlobalArgs } from './common.js';

export type ComposeArgs = GlobalArgs & { file: string[]; projectName?: string; envFile: string[]; profile: string[]; projectDirectory?: string };


export const COMPOSE_OPTIONS = {
  file: { alias: 'f', ...many('Compose file (several are merged; - reads stdin)') },
  'project-name': { alias: 'p', type: 'string', coerce: lastWins, describe: 'Project name (default: the name: key, COMPOSE_PROJECT_NAME, or the directory)' },
  'env-file': { ...many('Read variables for interpolation from this file (default: .env in the project directory)') },
  profile: { ...many('Enable services of this profile (also COMPOSE_PROFILES)') },
  'project-directory': { type: 'string', coerce: lastWins, describe: 'Where the compose file is looked for (default: the current directory)' },
} as const;

/** The project the group's options name; its warnings go to stderr once. */
export function loadComposeProject(argv: ComposeArgs, opts: { quiet?: boolean } = {}): Project {
  const files = argv.file.length > 0 ? argv.file : undefined;
  const project = composeProject({
    workingDir: argv.projectDirectory ?? process.cwd(),
    files,
    stdinText: files?.includes('-') ? fs.readFileSync(0, 'utf8') : undefined,
    projectName: argv.projectName,
    envFiles: argv.envFile.length > 0 ? argv.envFile : undefined,
    profiles: argv.profile,
    env: process.env,
  });
  if (!opts.quiet) for (const w of project.warnings) process.stderr.write(`WARN: ${w}\n`);
  return project;
}

/** Progress and warnings, docker compose's plain output, on stderr. */
export const report = (line: string) => void process.stderr.write(`${line}\n`);

/** The containers of the services named (all when none is); a name that is no service is an error. */
export function serviceContainers(ctx: Context, project: Project, services: string[], opts: { oneoff?: boolean } = {}): ProjectContainer[] {
  for (const s of services) if (!project.services[s]) throw new UsageError(`no such service: ${s}`);
  return projectContainers(ctx, project.name, { services, oneoff: opts.oneoff });
}

/** The one container a command for a service acts on: --index N, else the first. */
export function serviceContainer(ctx: Context, project: Project, service: string, index?: number): ProjectContainer {
  const all = serviceContainers(ctx, project, [service]);
  const c = index === undefined ? all[0] : all.find((x) => x.number === index);
  if (!c) throw new UsageError(index === undefined ? `service "${service}" is not running` : `service "${service}" has no container number ${index}`);
  return c;
}

const COLOURS = [chalk.cyan, chalk.yellow, chalk.green, chalk.magenta, chalk.blue, chalk.red, chalk.cyanBright, chalk.yellowBright, chalk.greenBright, chalk.magentaBright];

export interface LogPrinterOptions {
  colour: boolean;
  timestamps: boolean;
  prefix: boolean;
}

/** How a container's lines are labelled: `<service>-<n>` padded to the widest, in a colour of its own. */
export function logPrefixes(containers: ProjectContainer[], o: LogPrinterOptions): Map<string, string> {
  const label = (c: ProjectContainer) => c.view.record.name.replace(new RegExp(`^${c.view.record.labels?.['com.docker.compose.project'] ?? ''}-`), '');
  const width = Math.max(0, ...containers.map((c) => label(c).length));
  return new Map(
    containers.map((c, i) => {
      const text = `${label(c).padEnd(width)}  | `;
      return [c.view.record.id, o.prefix ? (o.colour ? COLOURS[i % COLOURS.length]!(text) : text) : ''];
    }),
  );
}

export interface LogSelection {
  follow: boolean;
  tail?: string;
  since?: string;
  until?: string;
}

/** Streams the containers' logs together, each line with its prefix, until each is done (then `onEnd` of it). */
export async function printProjectLogs(ctx: Context, containers: ProjectContainer[], sel: LogSelection, o: LogPrinterOptions, onEnd?: (c: ProjectContainer) => Promise<void>): Promise<void> {
  const opts = logOptions(sel);
  const prefixes = logPrefixes(containers, o);
  await Promise.all(
    containers.map(async (c) => {
      await streamLogs(ctx, c.view, opts, logWriter(prefixes.get(c.view.record.id) ?? '', o.timestamps));
      await onEnd?.(c);
    }),
  );
}

export interface Verb {
  /** Dependents first (stop, kill, rm, pause), or dependencies first (start, unpause). */
  reverse: boolean;
  /** Which containers the verb applies to (stop: running ones). */
  select: (v: ContainerView) => boolean;
  /** The progress words: Stopping, Stopped. */
  doing: string;
  done: string;
  oneoff?: boolean;
  /** More services than those named (restart: their dependents with restart: true). */
  expand?: (project: Project, services: string[]) => string[];
}

/** `compose stop|start|kill|...`: the verb on each container of the services named, in dependency order, reported. */
export async function actOnServices(argv: ComposeArgs & { services?: string[] }, verb: Verb, fn: (ctx: Context, v: ContainerView) => unknown): Promise<void> {
  const ctx = contextFrom(argv);
  const project = loadComposeProject(argv, { quiet: true });
  const named = argv.services ?? [];
  const services = verb.expand && named.length ? verb.expand(project, named) : named;
  const containers = serviceContainers(ctx, project, services, { oneoff: verb.oneoff }).filter((c) => verb.select(c.view));
  const each = async (c: ProjectContainer) => {
    report(` Container ${c.view.record.name}  ${verb.doing}`);
    await fn(ctx, c.view);
    report(` Container ${c.view.record.name}  ${verb.done}`);
  };
  await (verb.reverse ? inReverseOrder : inOrder)(project, containers, each);
}
