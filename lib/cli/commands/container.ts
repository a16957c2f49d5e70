// husk container <command>: the management group, with `cleanup` for the monitor.
import type { CommandModule } from 'yargs';
import { cleanupContainer } from '../../engine/cleanup.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { createCommand } from './create.js';
import { logsCommand } from './logs.js';
import { psCommand } from './ps.js';
import { rmCommand } from './rm.js';
import { runCommand } from './run.js';
import { startCommand } from './start.js';
import { stopCommand } from './stop.js';
import { execCommand } from './exec.js';
import { inspectCommandFor } from './inspect.js';
import { attachCommand } from './attach.js';
import { topCommand } from './top.js';
import { portCommand } from './port.js';
import { killCommand } from './kill.js';
import { pauseCommand } from './pause.js';
import { updateCommand } from './update.js';
import { statsCommand } from './stats.js';
import { unpauseCommand } from './unpause.js';
import { restartCommand } from './restart.js';
import { waitCommand } from './wait.js';
import { renameCommand } from './rename.js';
import { containerPruneCommand } from './container-prune.js';
import { containerExistsCommand } from './container-exists.js';
import { cpCommand } from './cp.js';
import { initCommand } from './init.js';
import { refusedFlag } from '../compat.js';
import { diffCommand } from './diff.js';
import { commitCommand } from './commit.js';
import { exportCommand } from './export.js';

const CLEANUP_IS_THE_MONITORS = "husk's cleanup is run by a container's monitor for that container alone";

const cleanupCommand: CommandModule<object, GlobalArgs & { container: string }> = {
  command: 'cleanup <container>',
  describe: 'Clean up after a container exited (run by its monitor)',
  // podman's cleanup flags: husk's is run by one container's monitor, for that container only.
  builder: (y) =>
    y.options({
      all: refusedFlag('all', 'boolean', CLEANUP_IS_THE_MONITORS, { alias: 'a' }),
      latest: refusedFlag('latest', 'boolean', CLEANUP_IS_THE_MONITORS, { alias: 'l' }),
      exec: refusedFlag('exec', 'string', 'husk keeps no exec sessions to clean up'),
      rm: refusedFlag('rm', 'boolean', 'a --rm container is removed by its own cleanup; use husk rm'),
      rmi: refusedFlag('rmi', 'boolean', 'use husk rmi after the container is gone'),
    }) as never,
  // The monitor says who it is (HUSK_MONITOR_PID) so that a cleanup never undoes a newer start.
  handler: (argv) => cleanupContainer(contextFrom(argv), argv.container, monitorPidFrom(process.env.HUSK_MONITOR_PID)),
};

function monitorPidFrom(value: string | undefined): number | undefined {
  const pid = Number(value);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export const CONTAINER_SUBCOMMANDS = [
  createCommand, startCommand, runCommand, psCommand, logsCommand, rmCommand, cleanupCommand,
  stopCommand, killCommand, pauseCommand, unpauseCommand, updateCommand, statsCommand, restartCommand, waitCommand, renameCommand, containerPruneCommand, containerExistsCommand, execCommand, inspectCommandFor('container'), attachCommand, topCommand, portCommand,
  cpCommand, diffCommand, commitCommand, exportCommand, initCommand,
];

export const containerCommand: CommandModule = {
  command: 'container',
  describe: 'Manage containers',
  builder: (y) => {
    for (const c of CONTAINER_SUBCOMMANDS) y.command(c as CommandModule);
    return y.demandCommand(1, 'Specify a container command');
  },
  handler: () => {},
};
