// husk compose [-f FILE]... [-p NAME] [--env-file F]... [--profile P]... <command>
// Built in, as `docker compose` (podman needs an external program): every
// container is made and run by the engine itself, no daemon.
import type { CommandModule } from 'yargs';
import { COMPOSE_OPTIONS } from '../compose-options.js';
import { composeBuildCommand } from './compose-build.js';
import { composeConfigCommand } from './compose-config.js';
import { composeCpCommand } from './compose-cp.js';
import { composeCreateCommand } from './compose-create.js';
import { composeDownCommand } from './compose-down.js';
import { composeEventsCommand } from './compose-events.js';
import { composeExecCommand } from './compose-exec.js';
import { composeImagesCommand } from './compose-images.js';
import { composeKillCommand } from './compose-kill.js';
import { composeLogsCommand } from './compose-logs.js';
import { composeLsCommand } from './compose-ls.js';
import { composePauseCommand } from './compose-pause.js';
import { composePortCommand } from './compose-port.js';
import { composePsCommand } from './compose-ps.js';
import { composePullCommand } from './compose-pull.js';
import { composePushCommand } from './compose-push.js';
import { composeRestartCommand } from './compose-restart.js';
import { composeRmCommand } from './compose-rm.js';
import { composeRunCommand } from './compose-run.js';
import { composeStartCommand } from './compose-start.js';
import { composeStopCommand } from './compose-stop.js';
import { composeTopCommand } from './compose-top.js';
import { composeUnpauseCommand } from './compose-unpause.js';
import { composeUpCommand } from './compose-up.js';
import { composeVersionCommand } from './compose-version.js';
import { composeWaitCommand } from './compose-wait.js';

const SUBCOMMANDS = [
  composeUpCommand,
  composeDownCommand,
  composePsCommand,
  composeLogsCommand,
  composeBuildCommand,
  composePullCommand,
  composePushCommand,
  composeConfigCommand,
  composeCreateCommand,
  composeStartCommand,
  composeStopCommand,
  composeRestartCommand,
  composeKillCommand,
  composeRmCommand,
  composePauseCommand,
  composeUnpauseCommand,
  composeExecCommand,
  composeRunCommand,
  composeTopCommand,
  composeImagesCommand,
  composePortCommand,
  composeEventsCommand,
  composeLsCommand,
  composeCpCommand,
  composeWaitCommand,
  composeVersionCommand,
];

export const composeCommand: CommandModule = {
  command: 'compose',
  describe: 'Multi-container applications from compose files',
  builder: (y) => {
    y.options(COMPOSE_OPTIONS);
    for (const c of SUBCOMMANDS) y.command(c as CommandModule);
    return y.demandCommand(1, 'Specify a compose command');
  },
  handler: () => {},
};
