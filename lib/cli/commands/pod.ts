// husk pod <command>: pods, containers sharing an infra container's network, IPC and UTS namespaces.
import type { CommandModule } from 'yargs';
import { podCloneCommand } from './pod-clone.js';
import { podCreateCommand } from './pod-create.js';
import { podExistsCommand } from './pod-exists.js';
import { podInspectCommand } from './pod-inspect.js';
import { podKillCommand } from './pod-kill.js';
import { podLogsCommand } from './pod-logs.js';
import { podPauseCommand } from './pod-pause.js';
import { podPruneCommand } from './pod-prune.js';
import { podPsCommand } from './pod-ps.js';
import { podRestartCommand } from './pod-restart.js';
import { podRmCommand } from './pod-rm.js';
import { podStartCommand } from './pod-start.js';
import { podStatsCommand } from './pod-stats.js';
import { podStopCommand } from './pod-stop.js';
import { podTopCommand } from './pod-top.js';
import { podUnpauseCommand } from './pod-unpause.js';

export const podCommand: CommandModule = {
  command: 'pod',
  describe: 'Manage pods',
  builder: (y) => {
    for (const c of [podCreateCommand, podStartCommand, podStopCommand, podRestartCommand, podKillCommand, podPauseCommand, podUnpauseCommand, podRmCommand, podPsCommand, podInspectCommand, podTopCommand, podLogsCommand, podStatsCommand, podExistsCommand, podPruneCommand, podCloneCommand]) {
      y.command(c as CommandModule);
    }
    return y.demandCommand(1, 'Specify a pod command');
  },
  handler: () => {},
};
