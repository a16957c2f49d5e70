// husk compose run [--rm] [-d] [-e K=V]... [--name N] [--no-deps] [--service-ports]
// [-u USER] [-w DIR] [--entrypoint CMD] [-T] SERVICE [COMMAND [ARG...]]: a
// one-off container of the service, its dependencies started first.
import type { CommandModule } from 'yargs';
import { randomHex } from '../../core/random.js';
import { composeRun } from '../../engine/compose-up.js';
import { words } from '../../engine/compose.js';
import { parseDetachKeys, runAttached, startContainer } from '../../engine/start.js';
import { many, contextFrom, lastWins } from '../common.js';
import { loadComposeProject, report, type ComposeArgs } from '../compose-options.js';
import { printOut } from '../output.js';
import { checkedWorkdir, envEntries } from '../run-options.js';
import { exitCodeOf, terminalIO } from './run.js';

type RunArgs = ComposeArgs & {
  service: string;
  command?: string[];
  rm: boolean;
  detach: boolean;
  env: string[];
  name?: string;
  noDeps: boolean;
  servicePorts: boolean;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  noTty: boolean;
  interactive: boolean;
  build: boolean;
  pull?: string;
};

export const composeRunCommand: CommandModule<object, RunArgs> = {
  command: 'run <service> [command..]',
  describe: 'Run a one-off command on a service',
  builder: (y) =>
    y
      .options({
        rm: { type: 'boolean', default: false, describe: 'Automatically remove the container when it exits' },
        detach: { alias: 'd', type: 'boolean', default: false, describe: 'Run container in background and print container ID' },
        env: { alias: 'e', ...many('Set environment variables') },
        name: { type: 'string', coerce: lastWins, describe: 'Assign a name to the container' },
        'no-deps': { type: 'boolean', default: false, describe: "Don't start linked services" },
        'service-ports': { type: 'boolean', default: false, describe: "Run command with the service's ports enabled and mapped to the host" },
        user: { alias: 'u', type: 'string', coerce: lastWins, describe: 'Run as specified username or uid' },
        workdir: { alias: 'w', type: 'string', coerce: lastWins, describe: 'Working directory inside the container' },
        entrypoint: { type: 'string', coerce: lastWins, describe: 'Override the entrypoint of the image' },
        'no-TTY': { alias: ['T', 'no-tty'], type: 'boolean', default: false, describe: 'Disable pseudo-TTY allocation (default: a TTY when stdin is one)' },
        interactive: { alias: 'i', type: 'boolean', default: true, describe: 'Keep STDIN open' },
        build: { type: 'boolean', default: false, describe: 'Build image before starting container' },
        pull: { type: 'string', coerce: lastWins, describe: 'Pull image before running: always, missing, never' },
      })
      .parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv);
    const noTty = (argv as unknown as Record<string, boolean>).noTTY || argv.noTty;
    const tty = !noTty && !argv.detach && process.stdin.isTTY === true;
    const detachKeys = parseDetachKeys();
    const view = await composeRun(ctx, project, {
      service: argv.service,
      noDeps: argv.noDeps,
      build: argv.build ? 'always' : 'missing',
      pull: argv.pull,
      report,
      out: process.stderr,
      oneoff: {
        name: argv.name ?? `${project.name}-${argv.service}-run-${randomHex(6)}`,
        command: argv.command?.length ? argv.command : undefined,
        entrypoint: argv.entrypoint === undefined ? undefined : words(argv.entrypoint, '--entrypoint'),
        env: envEntries(argv.env, []),
        servicePorts: argv.servicePorts,
        rm: argv.rm,
        user: argv.user,
        workdir: checkedWorkdir(argv.workdir),
        tty,
        interactive: argv.interactive && !argv.detach,
        attach: !argv.detach,
      },
    });
    if (argv.detach) {
      startContainer(ctx, view);
      printOut(`${view.record.name}\n`);
      return;
    }
    process.exitCode = exitCodeOf(await runAttached(ctx, view, terminalIO(), { sigProxy: true, detachKeys }));
  },
};
