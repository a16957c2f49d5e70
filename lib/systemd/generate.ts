// `generate systemd`: the unit files of a container, or of a pod and its
// containers, as text. Pure: the engine gathers the facts (records, the
// store's paths, husk's path) and writes or prints what comes back. The
// units follow podman's (pkg/systemd/generate): without --new they start and
// stop the existing container (Type=forking, PIDFile = its monitor); with
// --new they make a fresh one at each start from the command it was created
// with (Type=notify: the monitor is the main process, --sdnotify=conmon
// says when it runs) and remove it at each stop.
import { UsageError } from '../core/errors.js';
import { escapeArg, formatCommand } from './command-line.js';
import { boolValue, flagWords, isFlag, splitRunArgs, type FlagTable } from './run-args.js';

/** The flags of `generate systemd`. */
export interface GenerateOptions {
  new: boolean;
  /** --name: units name the container (pod) by name, not id. */
  useName: boolean;
  /** --restart-policy (default on-failure; with --new, the container's --restart when not given). */
  restartPolicy?: string;
  restartSec?: number;
  /** --time: seconds for stop (default the container's stop timeout, 10). */
  stopTimeout?: number;
  startTimeout?: number;
  containerPrefix: string;
  podPrefix: string;
  separator: string;
  noHeader: boolean;
  wants: string[];
  after: string[];
  requires: string[];
  /** --env: more Environment= lines. */
  env: string[];
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = {
  new: false,
  useName: false,
  containerPrefix: 'container',
  podPrefix: 'pod',
  separator: '-',
  noHeader: false,
  wants: [],
  after: [],
  requires: [],
  env: [],
};

/** systemd's Restart= values, the only ones --restart-policy takes. */
export const RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'];

/** Set in every unit, to the unit's name: a container made inside it gets the label (auto-update restarts that unit). */
export const UNIT_ENV = 'PODMAN_SYSTEMD_UNIT';

/** The stop timeout systemd gets on top of the container's own (podman's minTimeoutStopSec). */
const STOP_MARGIN_SEC = 60;

/** What the units need to know of where and which husk runs. */
export interface HuskFacts {
  /** husk's command: bin/husk, or node and bin/husk (escaped by the generator). */
  executable: string[];
  version: string;
  /** The header's time stamp. */
  now: Date;
  /** run's, pod create's and the global flags: how a recorded command line is read again. */
  flags: FlagTable;
  /**
   * The store the container was found in, when it is not husk's default
   * (--root/--runroot given): units without --new start and stop it there.
   * With --new, the create command's own global flags say where.
   */
  storeFlags: string[];
}

export interface ContainerFacts {
  id: string;
  name: string;
  createCommand?: string[];
  /** Its --stop-timeout, or 10. */
  stopTimeout: number;
  /** Its restart policy's name (a warning without --new: systemd should restart it, not husk). */
  restartPolicy?: string;
  /** Its environment (config.json): `-e KEY` in its create command takes the value it had. */
  env: string[];
  /** The store's run root, where its monitor's pid file is. */
  runRoot: string;
  /** The monitor's pid file (runRoot/c/ID/monitor.pid). */
  pidFile: string;
}

export interface PodFacts {
  id: string;
  name: string;
  createCommand: string[];
  infra: ContainerFacts;
  /** The pod's containers but the infra. */
  members: ContainerFacts[];
}

export interface Unit {
  /** The service's name, without ".service". */
  name: string;
  text: string;
  warnings: string[];
}

/** The units of one container. */
export function containerUnit(c: ContainerFacts, opts: GenerateOptions, husk: HuskFacts, pod?: PodUnitInfo): Unit {
  const nameOrId = opts.useName ? c.name : c.id;
  const service = serviceName(opts.containerPrefix, opts.separator, nameOrId);
  const warnings: string[] = [];
  const stop = opts.stopTimeout ?? c.stopTimeout;
  const exe = husk.executable.map(escapeArg);
  let lines: ServiceLines;
  if (opts.new) {
    lines = newContainerService(c, opts, husk, stop, pod, warnings);
  } else {
    if (c.restartPolicy && c.restartPolicy !== 'no') {
      warnings.push(`container ${c.name} has restart policy "${c.restartPolicy}", which can fight systemd at shutdown: recreate it without one and let the unit restart it`);
    }
    const base = [...exe, ...husk.storeFlags.map(escapeArg)];
    lines = {
      restart: opts.restartPolicy ?? 'on-failure',
      execStart: formatCommand([...base, 'start', escapeArg(nameOrId)]),
      execStop: formatCommand([...base, 'stop', '-t', String(stop), escapeArg(nameOrId)]),
      execStopPost: formatCommand([...base, 'stop', '-t', String(stop), escapeArg(nameOrId)]),
      pidFile: c.pidFile,
      type: 'forking',
      requiresMountsFor: c.runRoot,
    };
  }
  const unitDeps = pod ? [`BindsTo=${pod.serviceName}.service`, `After=${pod.serviceName}.service`] : [];
  return { name: service, text: render(service, husk, opts, unitDeps, lines, stop), warnings };
}

/** Which pod a member's unit belongs to (--new: the file the pod's id is in). */
export interface PodUnitInfo {
  serviceName: string;
  podIdFile: string;
}

/** The pod's unit, then one per container (the infra has none: the pod's unit is its). */
export function podUnits(p: PodFacts, opts: GenerateOptions, husk: HuskFacts): Unit[] {
  const nameOrId = opts.useName ? p.name : p.id;
  const service = serviceName(opts.podPrefix, opts.separator, nameOrId);
  const info: PodUnitInfo = { serviceName: service, podIdFile: `%t/${service}.pod-id` };
  const members = p.members.map((m) => containerUnit(m, opts, husk, info));
  const stop = opts.stopTimeout ?? p.infra.stopTimeout;
  const lines = opts.new ? newPodService(p, opts, husk, service, info, stop) : existingPodService(p, opts, husk, stop);
  const deps = [`Wants=${members.map((m) => `${m.name}.service`).sort().join(' ')}`, `Before=${members.map((m) => `${m.name}.service`).sort().join(' ')}`];
  return [{ name: service, text: render(service, husk, opts, members.length ? deps : [], lines, stop), warnings: [] }, ...members];
}

/** What differs between the kinds of unit, in [Service]. */
interface ServiceLines {
  restart: string;
  startLimitBurst?: string;
  extraEnv?: string[];
  execStartPre?: string;
  execStart: string;
  execStop: string;
  execStopPost: string;
  pidFile?: string;
  type: 'forking' | 'notify';
  notifyAccess?: 'all';
  requiresMountsFor: string;
}

function render(service: string, husk: HuskFacts, opts: GenerateOptions, unitDeps: string[], s: ServiceLines, stopTimeout: number): string {
  const lines = [`# ${service}.service`];
  if (!opts.noHeader) lines.push(`# autogenerated by husk ${husk.version}`, `# ${husk.now.toUTCString()}`);
  lines.push('', '[Unit]', `Description=husk ${service}.service`, 'Wants=network-online.target', 'After=network-online.target', `RequiresMountsFor=${s.requiresMountsFor}`);
  lines.push(...unitDeps);
  if (opts.wants.length || opts.after.length || opts.requires.length) lines.push('', '# User-defined dependencies');
  if (opts.wants.length) lines.push(`Wants=${opts.wants.join(' ')}`);
  if (opts.after.length) lines.push(`After=${opts.after.join(' ')}`);
  if (opts.requires.length) lines.push(`Requires=${opts.requires.join(' ')}`);
  lines.push('', '[Service]', `Environment=${UNIT_ENV}=%n`);
  if (s.extraEnv?.length) lines.push(`Environment=${s.extraEnv.join(' ')}`);
  for (const e of opts.env) lines.push(`Environment=${escapeArg(e)}`);
  lines.push(`Restart=${s.restart}`);
  if (opts.restartSec !== undefined) lines.push(`RestartSec=${opts.restartSec}`);
  if (s.startLimitBurst) lines.push(`StartLimitBurst=${s.startLimitBurst}`);
  if (opts.startTimeout) lines.push(`TimeoutStartSec=${opts.startTimeout}`);
  lines.push(`TimeoutStopSec=${STOP_MARGIN_SEC + stopTimeout}`);
  if (s.execStartPre) lines.push(`ExecStartPre=${s.execStartPre}`);
  lines.push(`ExecStart=${s.execStart}`, `ExecStop=${s.execStop}`, `ExecStopPost=${s.execStopPost}`);
  if (s.pidFile) lines.push(`PIDFile=${s.pidFile}`);
  lines.push(`Type=${s.type}`);
  if (s.notifyAccess) lines.push(`NotifyAccess=${s.notifyAccess}`);
  lines.push('', '[Install]', 'WantedBy=default.target', '');
  return lines.join('\n');
}

/** podman's service names: PREFIX SEPARATOR NAME, or the name alone without a prefix. */
export function serviceName(prefix: string, separator: string, name: string): string {
  return prefix ? `${prefix}${separator}${name}` : name;
}

/** The words of a create command: husk's path, global flags, then `run`/`create` (or `container run`) and the rest. */
interface CreateWords {
  roots: string[];
  rest: string[];
}

/** Finds `run` or `create` past the global flags (whose values are skipped: `--root run` is a directory). */
function splitCreateCommand(cmd: string[] | undefined, flags: FlagTable): CreateWords | undefined {
  if (!cmd || cmd.length < 2) return undefined;
  const roots: string[] = [];
  for (let i = 1; i < cmd.length; i++) {
    const w = cmd[i]!;
    if (w === 'run' || w === 'create') return { roots, rest: cmd.slice(i + 1) };
    if (w === 'container') continue;
    if (!w.startsWith('-')) return undefined;
    roots.push(w);
    if (!w.includes('=') && flags.takesValue(w.replace(/^-+/, '')) && i + 1 < cmd.length) roots.push(cmd[++i]!);
  }
  return undefined;
}

/** The flags a --new unit sets itself, dropped from the create command (podman's filterCommonContainerFlags). */
const SET_BY_UNIT = ['rm', 'cgroups', 'cidfile', 'restart'];
const POD_FLAGS = ['pod', 'pod-id-file', 'infra-conmon-pidfile'];

function newContainerService(c: ContainerFacts, opts: GenerateOptions, husk: HuskFacts, stop: number, pod: PodUnitInfo | undefined, warnings: string[]): ServiceLines {
  const split = splitCreateCommand(c.createCommand, husk.flags);
  if (!split) throw new UsageError(`cannot use --new on container ${c.name}: it was not made by husk run or husk create, so there is no command to make it again`);
  const exe = husk.executable.map(escapeArg);
  const { flags: given, rest } = splitRunArgs(split.rest, husk.flags);
  const last = (name: string) => [...given].reverse().find((f) => isFlag(f, name));
  let kept = given.filter((f) => !SET_BY_UNIT.some((n) => isFlag(f, n)) && !(pod && POD_FLAGS.some((n) => isFlag(f, n))));
  const start: Array<string | { raw: string }> = [...split.roots, 'run', { raw: '--cidfile=%t/%n.ctr-id' }, '--cgroups=no-conmon', '--rm'];
  if (pod) start.push('--pod-id-file', { raw: pod.podIdFile });
  // Type=notify needs someone to say READY=1: the container, or husk.
  const sdnotify = last('sdnotify');
  if (!sdnotify || sdnotify.value === 'ignore') {
    kept = kept.filter((f) => !isFlag(f, 'sdnotify'));
    start.push('--sdnotify=conmon');
  }
  // The unit's start must return: the container runs detached.
  const detach = last('detach');
  if (!detach || !boolValue(detach)) {
    kept = kept.filter((f) => !(isFlag(f, 'detach') && !boolValue(f)));
    start.push('-d');
  }
  // After a crash the old container still has the name: --replace takes it away.
  const replace = last('replace');
  if (last('name') && (!replace || !boolValue(replace))) {
    kept = kept.filter((f) => !isFlag(f, 'replace'));
    start.push('--replace');
  }
  const restartBits = restartFromFlag(opts.restartPolicy, last('restart')?.value);
  const envFromHost = given.filter((f) => isFlag(f, 'env') && f.value !== undefined && !f.value.includes('=')).map((f) => f.value!);
  const extraEnv = envFromHost.flatMap((k) => c.env.filter((e) => e.startsWith(`${k}=`)).map(escapeArg));
  if (envFromHost.length > extraEnv.length) warnings.push(`container ${c.name}: -e of a variable it did not get (${envFromHost.join(', ')}): the unit passes on only what it had`);
  const words = [...exe, ...start.map((w) => (typeof w === 'string' ? escapeArg(w) : w.raw)), ...flagWords(kept).map(escapeArg), ...rest.map(escapeArg)];
  const base = [...exe, ...split.roots.map(escapeArg)];
  return {
    ...restartBits,
    extraEnv,
    execStartPre: formatCommand([...base, 'rm', '-f', '--ignore', '--cidfile=%t/%n.ctr-id']),
    execStart: formatCommand(words),
    execStop: formatCommand([...base, 'stop', '--ignore', '-t', String(stop), '--cidfile=%t/%n.ctr-id']),
    execStopPost: formatCommand([...base, 'rm', '-f', '--ignore', '-t', String(stop), '--cidfile=%t/%n.ctr-id']),
    type: 'notify',
    notifyAccess: 'all',
    requiresMountsFor: runRootOf(split.roots),
  };
}

/** Restart= (and StartLimitBurst=) from --restart-policy, else from the container's --restart as podman maps it. */
function restartFromFlag(policy: string | undefined, fromContainer: string | undefined): { restart: string; startLimitBurst?: string } {
  if (policy) return { restart: policy };
  if (!fromContainer || fromContainer === 'no') return { restart: 'on-failure' };
  if (fromContainer.startsWith('on-failure:')) return { restart: 'on-failure', startLimitBurst: fromContainer.slice('on-failure:'.length) };
  return { restart: fromContainer === 'unless-stopped' ? 'always' : fromContainer };
}

/** --runroot in the global flags, else husk's default: $XDG_RUNTIME_DIR/husk rootless, /run/husk as root, %t/husk either way. */
function runRootOf(roots: string[]): string {
  for (let i = 0; i < roots.length; i++) {
    const w = roots[i]!;
    if (w.startsWith('--runroot=')) return escapeArg(w.slice('--runroot='.length));
    if (w === '--runroot') return escapeArg(roots[i + 1] ?? '');
  }
  return '%t/husk';
}

function existingPodService(p: PodFacts, opts: GenerateOptions, husk: HuskFacts, stop: number): ServiceLines {
  const infra = opts.useName ? p.infra.name : p.infra.id;
  const base = [...husk.executable.map(escapeArg), ...husk.storeFlags.map(escapeArg)];
  return {
    restart: opts.restartPolicy ?? 'on-failure',
    execStart: formatCommand([...base, 'start', escapeArg(infra)]),
    execStop: formatCommand([...base, 'stop', '-t', String(stop), escapeArg(infra)]),
    execStopPost: formatCommand([...base, 'stop', '-t', String(stop), escapeArg(infra)]),
    pidFile: p.infra.pidFile,
    type: 'forking',
    requiresMountsFor: p.infra.runRoot,
  };
}

/** Where `pod create` is in a pod's create command, past the global flags. */
function splitPodCreate(cmd: string[], flags: FlagTable): CreateWords | undefined {
  const roots: string[] = [];
  for (let i = 1; i < cmd.length; i++) {
    const w = cmd[i]!;
    if (w === 'pod' && cmd[i + 1] === 'create') return { roots, rest: cmd.slice(i + 2) };
    if (!w.startsWith('-')) return undefined;
    roots.push(w);
    if (!w.includes('=') && flags.takesValue(w.replace(/^-+/, '')) && i + 1 < cmd.length) roots.push(cmd[++i]!);
  }
  return undefined;
}

function newPodService(p: PodFacts, opts: GenerateOptions, husk: HuskFacts, service: string, info: PodUnitInfo, stop: number): ServiceLines {
  const split = splitPodCreate(p.createCommand, husk.flags);
  if (!split) throw new UsageError(`cannot use --new on pod ${p.name}: it was not made by husk pod create (${p.createCommand.slice(1).join(' ') || 'no command recorded'})`);
  const { flags: given, rest } = splitRunArgs(split.rest, husk.flags);
  let kept = given.filter((f) => !POD_FLAGS.some((n) => isFlag(f, n)));
  const pidFile = `%t/${service}.pid`;
  const start: Array<string | { raw: string }> = [...split.roots, 'pod', 'create', '--infra-conmon-pidfile', { raw: pidFile }, '--pod-id-file', { raw: info.podIdFile }];
  if (!kept.some((f) => isFlag(f, 'exit-policy'))) start.push('--exit-policy=stop');
  const replace = [...kept].reverse().find((f) => isFlag(f, 'replace'));
  if (kept.some((f) => isFlag(f, 'name')) && (!replace || !boolValue(replace))) {
    kept = [...kept.filter((f) => !isFlag(f, 'replace')), { name: 'replace', names: ['replace'], words: ['--replace'] }];
  }
  const exe = husk.executable.map(escapeArg);
  const base = [...exe, ...split.roots.map(escapeArg)];
  const idFile = info.podIdFile;
  return {
    restart: opts.restartPolicy ?? 'on-failure',
    execStartPre: formatCommand([...exe, ...start.map((w) => (typeof w === 'string' ? escapeArg(w) : w.raw)), ...flagWords(kept).map(escapeArg), ...rest.map(escapeArg)]),
    execStart: formatCommand([...base, 'pod', 'start', '--pod-id-file', idFile]),
    execStop: formatCommand([...base, 'pod', 'stop', '--ignore', '--pod-id-file', idFile, '-t', String(stop)]),
    execStopPost: formatCommand([...base, 'pod', 'rm', '--ignore', '-f', '--pod-id-file', idFile]),
    pidFile,
    type: 'forking',
    requiresMountsFor: runRootOf(split.roots),
  };
}
