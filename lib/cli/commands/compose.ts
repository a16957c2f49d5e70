// husk compose [-f FILE]... [-p NAME] [--env-file F]... [--profile P]... <command>
// Built in, as `docker compose` (podman needs an external program). So far:
// config, the resolved model as the files give it.
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { composeConfig, composeProject, type Project } from '../../engine/compose.js';
import { lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type ComposeArgs = GlobalArgs & { file: string[]; projectName?: string; envFile: string[]; profile: string[]; projectDirectory?: string };

const many = { type: 'string', array: true, nargs: 1, default: [] } as const;

const COMPOSE_OPTIONS = {
  file: { alias: 'f', ...many, describe: 'Compose file (several are merged; - reads stdin)' },
  'project-name': { alias: 'p', type: 'string', coerce: lastWins, describe: 'Project name (default: the name: key, COMPOSE_PROJECT_NAME, or the directory)' },
  'env-file': { ...many, describe: 'Read variables for interpolation from this file (default: .env in the project directory)' },
  profile: { ...many, describe: 'Enable services of this profile (also COMPOSE_PROFILES)' },
  'project-directory': { type: 'string', coerce: lastWins, describe: 'Where the compose file is looked for (default: the current directory)' },
} as const;

function project(argv: ComposeArgs): Project {
  const files = argv.file.length > 0 ? argv.file : undefined;
  return composeProject({
    workingDir: argv.projectDirectory ?? process.cwd(),
    files,
    stdinText: files?.includes('-') ? fs.readFileSync(0, 'utf8') : undefined,
    projectName: argv.projectName,
    envFiles: argv.envFile.length > 0 ? argv.envFile : undefined,
    profiles: argv.profile,
    env: process.env,
  });
}

type ConfigArgs = ComposeArgs & { services: boolean; volumes: boolean; quiet: boolean };

const configCommand: CommandModule<object, ConfigArgs> = {
  command: 'config',
  describe: 'Check the compose files and print the resolved model',
  builder: (y) =>
    y.options({
      services: { type: 'boolean', default: false, describe: 'Print the service names, one per line' },
      volumes: { type: 'boolean', default: false, describe: 'Print the volume names, one per line' },
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Only check: print nothing' },
    }) as never,
  handler: (argv) => {
    const p = project(argv);
    for (const w of p.warnings) process.stderr.write(`WARN: ${w}\n`);
    if (argv.quiet) return;
    if (argv.services) return printOut(Object.keys(p.services).map((s) => `${s}\n`).join(''));
    if (argv.volumes) return printOut(Object.keys(p.volumes).map((v) => `${v}\n`).join(''));
    printOut(composeConfig(p));
  },
};

export const composeCommand: CommandModule = {
  command: 'compose',
  describe: 'Multi-container applications from compose files',
  builder: (y) => y.options(COMPOSE_OPTIONS).command(configCommand as CommandModule).demandCommand(1, 'Specify a compose command (config)'),
  handler: () => {},
};
