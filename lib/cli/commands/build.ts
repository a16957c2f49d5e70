// husk build [OPTIONS] [CONTEXT|-|URL] (also `image build`, `buildx build`):
// a Dockerfile and its context into an image, with podman's output.
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { buildImage, type PullPolicy } from '../../engine/build.js';
import { openBuildInput, parseBuildArgFile, parseSecret, parseSsh } from '../../engine/build-input.js';
import { UsageError } from '../../core/errors.js';
import { many, contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { parseLabels } from '../run-options.js';
import { printOut } from '../output.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';
import { BUILD_PODMAN_OPTIONS, imageChanges, outputFiles, runContainerOptions, type BuildPodmanArgs } from '../build-options.js';

type BuildArgs = GlobalArgs & {
  context?: string;
  tag: string[];
  file?: string;
  buildArg: string[];
  buildArgFile: string[];
  target?: string;
  label: string[];
  annotation: string[];
  iidfile?: string;
  format?: string;
  platform?: string;
  secret: string[];
  ssh: string[];
  network?: string;
  addHost: string[];
  ulimit: string[];
  timestamp?: number;
  quiet: boolean;
  noCache?: boolean;
  cache: boolean;
  pull?: string;
  pullAlways: boolean;
  pullNever: boolean;
  layers: boolean;
  rm: boolean;
  forceRm: boolean;
  squash: boolean;
  squashAll: boolean;
  cacheFrom: string[];
  cacheTo?: string;
} & RegistryArgs &
  BuildPodmanArgs;


export const buildOptions = {
  tag: { alias: 't', ...many('Name the image NAME[:TAG] (repeatable)') },
  file: { alias: 'f', type: 'string', coerce: lastWins, describe: 'The Dockerfile (default CONTEXT/Dockerfile or Containerfile; - reads it from stdin)' },
  'build-arg': { ...many('Set a build ARG: NAME=VALUE, or NAME to take it from the environment') },
  'build-arg-file': { ...many('Read build ARGs from a file of NAME=VALUE lines') },
  target: { type: 'string', coerce: lastWins, describe: 'Build the stage of this name and stop' },
  label: { ...many('Add a label to the image: KEY=VALUE') },
  annotation: { ...many('Add an annotation to the image manifest: KEY=VALUE') },
  iidfile: { type: 'string', coerce: lastWins, describe: 'Write the image ID to this file' },
  format: { type: 'string', coerce: lastWins, describe: 'Image format: oci (default) or docker' },
  platform: { type: 'string', coerce: lastWins, describe: "The platform to build for (this machine's)" },
  secret: { ...many('A secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR') },
  ssh: { ...many('An ssh agent for RUN --mount=type=ssh: default or ID[=SOCKET]') },
  network: { type: 'string', coerce: lastWins, describe: 'Network of the RUN steps: default, none or host' },
  'add-host': { ...many('Add HOST:IP to the RUN steps\' /etc/hosts') },
  ulimit: { ...many('Resource limit of the RUN steps: TYPE=SOFT[:HARD]') },
  timestamp: { type: 'number', describe: 'Seconds since the epoch for every date in the image (same input, same image ID)' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID' },
  cache: { type: 'boolean', default: true, describe: 'Use the build cache (--no-cache: build every step)' },
  pull: { type: 'string', coerce: lastWins, describe: 'Pull the base images: always (bare --pull), missing (default), never or newer' },
  'pull-always': { type: 'boolean', default: false, describe: 'Always pull the base images' },
  'pull-never': { type: 'boolean', default: false, describe: 'Never pull the base images' },
  layers: { type: 'boolean', default: true, describe: 'Keep intermediate images as the build cache' },
  rm: { type: 'boolean', default: true, describe: 'Remove the RUN containers after each step (husk always does)' },
  'force-rm': { type: 'boolean', default: false, describe: 'Remove the RUN containers even when a step fails (husk always does)' },
  squash: { type: 'boolean', default: false, describe: "Squash the image's new layers into one" },
  'squash-all': { type: 'boolean', default: false, describe: 'Squash the whole image, its base included, into one layer' },
  'cache-from': { ...many('Take steps missing from the store from this registry repository (tagged with their cache keys)') },
  'cache-to': { type: 'string', coerce: lastWins, describe: 'Push each new step to this registry repository, tagged with its cache key' },
  ...REGISTRY_OPTIONS,
  ...BUILD_PODMAN_OPTIONS,
} as const;

export const buildCommand: CommandModule<object, BuildArgs> = {
  command: 'build [context]',
  describe: 'Build an image from a Dockerfile',
  builder: (y) => y.options(buildOptions) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    refuseUnsupported(argv);
    // A bare --pull takes the next word as its value: a context that is no policy goes back to its place.
    if (argv.pull !== undefined && !PULL_WORDS.includes(argv.pull) && argv.context === undefined) {
      argv.context = argv.pull;
      argv.pull = 'always';
    }
    const epoch = argv.sourceDateEpoch ?? sourceDateEpoch();
    const timestamp = argv.timestamp ?? epoch;
    const log = argv.logfile === undefined ? undefined : openLog(argv.logfile);
    const input = await openBuildInput(ctx, { context: argv.context ?? '.', file: argv.file, stdin: process.stdin });
    try {
      warnAboutUserns(ctx);
      const quiet = argv.quiet;
      const result = await buildImage(ctx, {
        contextDir: input.contextDir,
        dockerfile: input.dockerfile,
        tags: argv.tag,
        // podman hands --source-date-epoch to the Containerfile as the SOURCE_DATE_EPOCH build ARG too.
        buildArgs: { ...(argv.sourceDateEpoch !== undefined ? { SOURCE_DATE_EPOCH: String(argv.sourceDateEpoch) } : {}), ...parseBuildArgFile(argv.buildArgFile.map((f) => fs.readFileSync(f, 'utf8'))), ...buildArgs(argv.buildArg) },
        target: argv.target,
        labels: parseLabels(argv.label) ?? {},
        annotations: parseLabels(argv.annotation) ?? {},
        noCache: !argv.cache,
        pull: pullPolicy(argv),
        timestamp,
        secrets: argv.secret.map((s) => parseSecret(s, process.env)),
        ssh: argv.ssh.map((s) => parseSsh(s, process.env)),
        network: argv.network,
        addHosts: argv.addHost,
        ulimits: argv.ulimit,
        runContainer: runContainerOptions(argv),
        ...imageChanges(argv),
        layers: argv.layers,
        squash: argv.squashAll ? 'all' : argv.squash ? 'new' : undefined,
        cacheFrom: argv.cacheFrom,
        cacheTo: argv.cacheTo,
        access: accessFrom(argv),
        out: log?.stream ?? process.stdout,
        quiet,
      });
      if (argv.iidfile) fs.writeFileSync(argv.iidfile, `sha256:${result.image.id}`);
      outputFiles(argv, result.image);
      printOut(`${result.image.id}\n`);
    } finally {
      input.cleanup();
      await log?.close();
    }
  },
};

function refuseUnsupported(argv: BuildArgs): void {
  for (const repo of [...argv.cacheFrom, ...(argv.cacheTo !== undefined ? [argv.cacheTo] : [])]) {
    if (/[:@][^/]*$/.test(repo.replace(/^[^/]*\//, ''))) throw new UsageError(`--cache-from/--cache-to ${repo}: give a repository without a tag (the cache keys are the tags)`);
  }
  if (argv.format !== undefined && !['oci', 'docker'].includes(argv.format)) throw new UsageError(`--format ${argv.format}: give oci or docker`);
  if (argv.platform !== undefined) checkPlatformFlag(argv.platform);
  if (argv.os !== undefined || argv.arch !== undefined) checkPlatformFlag(`${argv.os ?? 'linux'}/${argv.arch ?? hostArch()}`);
}

/** --logfile: the build's step lines and RUN output go to this file instead of stdout. */
function openLog(file: string): { stream: fs.WriteStream; close: () => Promise<void> } {
  const stream = fs.createWriteStream(file);
  return { stream, close: () => new Promise<void>((resolve) => stream.end(resolve)) };
}

const hostArch = () => (process.arch === 'x64' ? 'amd64' : process.arch);

function checkPlatformFlag(platform: string): void {
  const arch = hostArch();
  const [os, a] = platform.split('/');
  if (os !== 'linux' || (a !== undefined && a !== arch)) {
    throw new UsageError(`--platform ${platform}: husk builds for linux/${arch}, this machine's platform, only (no emulator for others is set up)`);
  }
}

function sourceDateEpoch(): number | undefined {
  const v = process.env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`SOURCE_DATE_EPOCH=${v}: give seconds since the epoch`);
  return Number(v);
}

const PULL_WORDS = ['', 'true', 'false', 'always', 'missing', 'never', 'newer'];

function pullPolicy(argv: BuildArgs): PullPolicy {
  if (argv.pullAlways) return 'always';
  if (argv.pullNever) return 'never';
  const p = argv.pull;
  if (p === undefined || p === 'false' || p === 'missing') return 'missing';
  if (p === '' || p === 'true' || p === 'always') return 'always';
  if (p === 'never' || p === 'newer') return p;
  throw new UsageError(`--pull ${p}: give always, missing, never or newer`);
}

/** --build-arg NAME=VALUE, or NAME alone for the value of that environment variable (left out when unset). */
function buildArgs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const eq = a.indexOf('=');
    if (eq === 0) throw new UsageError(`--build-arg ${a}: give NAME=VALUE`);
    if (eq > 0) out[a.slice(0, eq)] = a.slice(eq + 1);
    else if (process.env[a] !== undefined) out[a] = process.env[a]!;
  }
  return out;
}

export const buildxCommand: CommandModule = {
  command: 'buildx',
  describe: 'Docker Buildx command line: build (the same as husk build)',
  builder: (y) => y.command(buildCommand as CommandModule).demandCommand(1, 'Specify a buildx command (build)'),
  handler: () => {},
};
