// husk and systemd: `generate systemd` (the facts of a container or pod
// handed to lib/systemd, the units written or returned), which husk the
// units run, and whether a systemd is there to act on units at all (this
// machine may have none running: the units are written all the same).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { defaultPaths, type Context } from '../core/context.js';
import { HuskError, NotFoundError, UsageError } from '../core/errors.js';
import type { Spec } from '../core/oci-spec.js';
import { packageRoot } from '../native/binding.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { PodStore, type PodRecord } from '../runtime/pod-store.js';
import { containerUnit, podUnits, RESTART_POLICIES, type ContainerFacts, type GenerateOptions, type HuskFacts, type Unit } from '../systemd/generate.js';
import type { FlagTable } from '../systemd/run-args.js';
import { podContainers } from './pods.js';
import { HUSK_VERSION } from './version.js';

export type { FlagTable };
export { DEFAULT_GENERATE_OPTIONS, type GenerateOptions, type Unit } from '../systemd/generate.js';

/** systemd's default PATH for the services it starts (system and user managers). */
const SYSTEMD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * husk as a unit runs it: bin/husk, whose `#!/usr/bin/env node` finds node
 * through systemd's PATH, when the node found there is this one; else this
 * node named (an nvm or /opt install), `--` keeping node from taking run's
 * --env-file for its own.
 */
export function huskExecutable(): string[] {
  const bin = path.join(packageRoot(), 'bin', 'husk');
  const me = realpath(process.execPath);
  const first = SYSTEMD_PATH.map((d) => path.join(d, 'node')).find((p) => fs.existsSync(p));
  return first && realpath(first) === me ? [bin] : [process.execPath, '--', bin];
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** `generate systemd NAME`: a container's unit, or a pod's units (the pod's first). */
export function generateSystemd(ctx: Context, nameOrId: string, opts: GenerateOptions, flags: FlagTable, env: NodeJS.ProcessEnv): Unit[] {
  if (opts.restartPolicy !== undefined && !RESTART_POLICIES.includes(opts.restartPolicy)) {
    throw new UsageError(`invalid --restart-policy "${opts.restartPolicy}": use ${RESTART_POLICIES.join(', ')}`);
  }
  const husk: HuskFacts = { executable: huskExecutable(), version: HUSK_VERSION, now: new Date(), flags, storeFlags: storeFlags(ctx, env) };
  const view = new ContainerStore(ctx).find(nameOrId);
  if (view && !view.record.podInfra) return [containerUnit(containerFacts(ctx, view), opts, husk)];
  const pod = view?.record.pod ? new PodStore(ctx).find(view.record.pod) : new PodStore(ctx).find(nameOrId);
  if (!pod) throw new NotFoundError(`no container or pod with name or ID "${nameOrId}" found`);
  return podUnits(podFacts(ctx, pod), opts, husk);
}

/** --root and --runroot of the store the command looks at, when they are not the default ones (a unit's husk would look elsewhere). */
function storeFlags(ctx: Context, env: NodeJS.ProcessEnv): string[] {
  const defaults = defaultPaths(ctx.uid, env);
  const flags: string[] = [];
  if (path.resolve(defaults.dataRoot) !== ctx.paths.dataRoot) flags.push('--root', ctx.paths.dataRoot);
  if (path.resolve(defaults.runRoot) !== ctx.paths.runRoot) flags.push('--runroot', ctx.paths.runRoot);
  return flags;
}

function containerFacts(ctx: Context, view: ContainerView): ContainerFacts {
  const p = new ContainerStore(ctx).paths(view.record.id);
  let env: string[] = [];
  try {
    env = (JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec).process.env ?? [];
  } catch {
    /* a bundle half gone: no environment to pass on */
  }
  return {
    id: view.record.id,
    name: view.record.name,
    createCommand: view.record.createCommand,
    stopTimeout: view.record.stopTimeout ?? 10,
    restartPolicy: view.record.restartPolicy?.name,
    env,
    runRoot: ctx.paths.runRoot,
    pidFile: p.monitorPidFile,
  };
}

function podFacts(ctx: Context, pod: PodRecord): Parameters<typeof podUnits>[0] {
  const views = podContainers(ctx, pod);
  const infra = views.find((v) => v.record.podInfra);
  if (!infra) throw new UsageError(`pod ${pod.name} has no infra container: a pod's unit runs its infra container (podman's rule)`);
  const members = views.filter((v) => !v.record.podInfra);
  if (members.length === 0) throw new UsageError(`pod ${pod.name} has no containers: add one (husk run --pod ${pod.name} ...) first`);
  return { id: pod.id, name: pod.name, createCommand: pod.createCommand, infra: containerFacts(ctx, infra), members: members.map((v) => containerFacts(ctx, v)) };
}

/** --files: each unit as NAME.service in `dir`; returns the paths. */
export function writeUnitFiles(units: Unit[], dir: string): string[] {
  return units.map((u) => {
    const file = path.join(dir, `${u.name}.service`);
    fs.writeFileSync(file, u.text, { mode: 0o644 });
    return file;
  });
}

/**
 * Whether the systemd that would run our units is there: as root the
 * system manager (/run/systemd/system, sd_booted(3)'s test), rootless the
 * user's manager (its private socket under $XDG_RUNTIME_DIR).
 */
export function systemdRunning(ctx: Context, env: NodeJS.ProcessEnv): boolean {
  if (!ctx.rootless) return fs.existsSync('/run/systemd/system');
  return !!env.XDG_RUNTIME_DIR && fs.existsSync(path.join(env.XDG_RUNTIME_DIR, 'systemd', 'private'));
}

/** The error of anything that needs a running systemd where there is none. */
export function noSystemd(ctx: Context, what: string): HuskError {
  const which = ctx.rootless ? "your user's systemd (systemd --user) is not running" : 'systemd is not running on this machine (it is not PID 1)';
  return new HuskError(`${what}: ${which}; the unit files can still be generated (husk generate systemd --files)`);
}

/** systemctl [--user] restart UNIT, waiting for the restart (auto-update). */
export function restartUnit(ctx: Context, env: NodeJS.ProcessEnv, unit: string): void {
  if (!systemdRunning(ctx, env)) throw noSystemd(ctx, `restarting ${unit}`);
  try {
    execFileSync('systemctl', [...(ctx.rootless ? ['--user'] : []), 'restart', unit], { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new HuskError(`restarting ${unit}: ${stderr || (err as Error).message}`);
  }
}
