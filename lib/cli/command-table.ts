// Every top-level command, by name, in the order help lists them. A
// command's module (and the engine code under it) loads only when that
// command runs: evaluating all of husk costs milliseconds on every start.
import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one table for commands whose argument types all differ
export type AnyCommand = CommandModule<any, any>;
export type CommandLoader = () => Promise<AnyCommand>;

export const COMMANDS: Record<string, CommandLoader> = {
  run: () => import('./commands/run.js').then((m) => m.runCommand),
  create: () => import('./commands/create.js').then((m) => m.createCommand),
  start: () => import('./commands/start.js').then((m) => m.startCommand),
  ps: () => import('./commands/ps.js').then((m) => m.psCommand),
  logs: () => import('./commands/logs.js').then((m) => m.logsCommand),
  rm: () => import('./commands/rm.js').then((m) => m.rmCommand),
  images: () => import('./commands/images.js').then((m) => m.imagesCommand),
  import: () => import('./commands/import.js').then((m) => m.importCommand),
  pull: () => import('./commands/pull.js').then((m) => m.pullCommand),
  login: () => import('./commands/login.js').then((m) => m.loginCommand),
  logout: () => import('./commands/logout.js').then((m) => m.logoutCommand),
  push: () => import('./commands/push.js').then((m) => m.pushCommand),
  tag: () => import('./commands/tag.js').then((m) => m.tagCommand),
  untag: () => import('./commands/untag.js').then((m) => m.untagCommand),
  rmi: () => import('./commands/rmi.js').then((m) => m.rmiCommand),
  save: () => import('./commands/save.js').then((m) => m.saveCommand),
  load: () => import('./commands/load.js').then((m) => m.loadCommand),
  search: () => import('./commands/search.js').then((m) => m.searchCommand),
  history: () => import('./commands/history.js').then((m) => m.historyCommand),
  info: () => import('./commands/info.js').then((m) => m.infoCommand),
  version: () => import('./commands/version.js').then((m) => m.versionCommand),
  stop: () => import('./commands/stop.js').then((m) => m.stopCommand),
  kill: () => import('./commands/kill.js').then((m) => m.killCommand),
  pause: () => import('./commands/pause.js').then((m) => m.pauseCommand),
  update: () => import('./commands/update.js').then((m) => m.updateCommand),
  stats: () => import('./commands/stats.js').then((m) => m.statsCommand),
  events: () => import('./commands/events.js').then((m) => m.eventsCommand),
  compose: () => import('./commands/compose.js').then((m) => m.composeCommand),
  pod: () => import('./commands/pod.js').then((m) => m.podCommand),
  secret: () => import('./commands/secret.js').then((m) => m.secretCommand),
  kube: () => import('./commands/kube.js').then((m) => m.kubeCommand),
  unpause: () => import('./commands/unpause.js').then((m) => m.unpauseCommand),
  restart: () => import('./commands/restart.js').then((m) => m.restartCommand),
  wait: () => import('./commands/wait.js').then((m) => m.waitCommand),
  rename: () => import('./commands/rename.js').then((m) => m.renameCommand),
  exec: () => import('./commands/exec.js').then((m) => m.execCommand),
  inspect: () => import('./commands/inspect.js').then((m) => m.inspectCommand),
  attach: () => import('./commands/attach.js').then((m) => m.attachCommand),
  top: () => import('./commands/top.js').then((m) => m.topCommand),
  port: () => import('./commands/port.js').then((m) => m.portCommand),
  cp: () => import('./commands/cp.js').then((m) => m.cpCommand),
  init: () => import('./commands/init.js').then((m) => m.initCommand),
  diff: () => import('./commands/diff.js').then((m) => m.diffCommand),
  commit: () => import('./commands/commit.js').then((m) => m.commitCommand),
  build: () => import('./commands/build.js').then((m) => m.buildCommand),
  buildx: () => import('./commands/build.js').then((m) => m.buildxCommand),
  export: () => import('./commands/export.js').then((m) => m.exportCommand),
  container: () => import('./commands/container.js').then((m) => m.containerCommand),
  image: () => import('./commands/image.js').then((m) => m.imageCommand),
  system: () => import('./commands/system.js').then((m) => m.systemCommand),
  volume: () => import('./commands/volume.js').then((m) => m.volumeCommand),
  network: () => import('./commands/network.js').then((m) => m.networkCommand),
  healthcheck: () => import('./commands/healthcheck.js').then((m) => m.healthcheckCommand),
  generate: () => import('./commands/generate.js').then((m) => m.generateCommand),
  unshare: () => import('./commands/unshare.js').then((m) => m.unshareCommand),
  machine: () => import('./commands/machine.js').then((m) => m.machineCommand),
  'auto-update': () => import('./commands/auto-update.js').then((m) => m.autoUpdateCommand),
  completion: () => import('./commands/completion.js').then((m) => m.completionCommand),
};

/** Other names of top-level commands; a command module's own aliases must list them (test/unit/cli-dispatch). */
export const ALIASES: Record<string, string> = { ls: 'ps' };
