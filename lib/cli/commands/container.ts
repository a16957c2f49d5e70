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
import { diffCommand } from './diff.js';
import { commitCommand } from './commit.js';
import { exportCommand } from './export.js';

const cleanupCommand: CommandModule<object, GlobalArgs & { container: string }> = {
  command: 'cleanup <container>',
  describe: 'Clean up after a container exited (run by its monitor)',
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
  cpCommand, diffCommand, commitCommand, exportCommand,
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
