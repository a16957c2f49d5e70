// `husk update`: new resource limits (and restart policy) for containers,
// running or not: the spec keeps them for the next start, and a running
// container's cgroup gets them at once. The environment, ulimits and
// healthcheck change too, for the next start (a healthcheck run at once).
import fs from 'node:fs';
import type { Resources, Rlimit, Spec } from '../core/oci-spec.js';
import type { Context } from '../core/context.js';
import { HuskError, UsageError } from '../core/errors.js';
import { ContainerStore, isAlive, type ContainerView, type HealthConfig, type RestartPolicy } from '../runtime/container-store.js';
import { updateContainerCgroup } from '../runtime/container-cgroup.js';
import { hasLimits } from '../runtime/resources.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import { eachContainer, type ItemReport } from './bulk.js';
import { healthConfig } from './health.js';

export interface UpdateOptions {
  resources: Resources;
  restartPolicy?: RestartPolicy;
  /** --env NAME=VALUE set, --unsetenv NAME removed, in the process's environment. */
  env?: { set: string[]; unset: string[] };
  /** --ulimit: each replaces the limit of its type. */
  rlimits?: Rlimit[];
  /** --health-*: over the container's healthcheck; null (--no-healthcheck) removes it. */
  health?: Partial<HealthConfig> | null;
}

export function updateContainers(ctx: Context, names: string[], opts: UpdateOptions): Promise<ItemReport[]> {
  const more = opts.restartPolicy || opts.env?.set.length || opts.env?.unset.length || opts.rlimits?.length || opts.health !== undefined;
  if (!hasLimits(opts.resources) && !more) throw new UsageError('give at least one thing to change: a limit (--memory, --cpus, --pids-limit, ...), --restart, --env, --unsetenv, --ulimit or --health-*');
  return eachContainer(ctx, { names, all: false }, (view) => updateOne(ctx, view, opts));
}

function updateOne(ctx: Context, view: ContainerView, opts: UpdateOptions): void {
  const store = new ContainerStore(ctx);
  const p = store.paths(view.record.id);
  if (hasLimits(opts.resources)) {
    const spec = JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec;
    const cgroupsPath = spec.linux.cgroupsPath;
    if (!cgroupsPath) throw new HuskError(`container ${view.record.name} has no cgroup of its own, so no limits (rootless: see husk info)`);
    const now = spec.linux.resources ?? {};
    const merged = {
      ...now,
      ...(opts.resources.memory ? { memory: { ...now.memory, ...opts.resources.memory } } : {}),
      ...(opts.resources.cpu ? { cpu: { ...now.cpu, ...opts.resources.cpu } } : {}),
      ...(opts.resources.pids ? { pids: opts.resources.pids } : {}),
      ...(opts.resources.blockIO ? { blockIO: { ...now.blockIO, ...opts.resources.blockIO } } : {}),
    };
    const swap = merged.memory?.swap;
    if (swap !== undefined && swap !== -1 && merged.memory?.limit !== undefined && swap < merged.memory.limit) {
      throw new UsageError(`--memory ${merged.memory.limit} is above the container's --memory-swap ${swap}: give a larger --memory-swap too`);
    }
    // The running cgroup first: a value the kernel refuses changes nothing on disk.
    if (view.status === 'running' && view.state && isAlive(view.state)) updateContainerCgroup(ctx, cgroupsPath, opts.resources);
    writeJsonAtomic(p.config, { ...spec, linux: { ...spec.linux, resources: merged } }, 0o600, false);
  }
  if (opts.env || opts.rlimits?.length) {
    const spec = JSON.parse(fs.readFileSync(p.config, 'utf8')) as Spec;
    const proc = { ...spec.process, env: newEnv(spec.process.env ?? [], opts.env), rlimits: newRlimits(spec.process.rlimits ?? [], opts.rlimits ?? []) };
    writeJsonAtomic(p.config, { ...spec, process: proc }, 0o600, false);
    // husk's create makes the process, waiting to be started, so its environment is already set.
    if (view.status === 'created' && view.state && isAlive(view.state)) {
      ctx.ui.progress(`WARNING: container ${view.record.name} was created with its process waiting: the new environment and ulimits apply once it has stopped and starts again`);
    }
  }
  if (opts.restartPolicy || opts.health !== undefined) {
    store.locked(() => {
      const record = store.view(view.record.id)?.record;
      if (!record) throw new HuskError(`container ${view.record.name} was removed meanwhile`);
      const healthcheck = opts.health === undefined ? record.healthcheck : newHealth(record.healthcheck, opts.health, record.name);
      writeJsonAtomic(p.record, { ...record, restartPolicy: opts.restartPolicy ?? record.restartPolicy, healthcheck });
    });
  }
}

function newEnv(env: string[], change: UpdateOptions['env']): string[] {
  if (!change) return env;
  const nameOf = (e: string) => e.split('=', 1)[0]!;
  const dropped = new Set([...change.unset, ...change.set.map(nameOf)]);
  return [...env.filter((e) => !dropped.has(nameOf(e))), ...change.set];
}

function newRlimits(now: Rlimit[], given: Rlimit[]): Rlimit[] {
  const types = new Set(given.map((r) => r.type));
  return [...now.filter((r) => !types.has(r.type)), ...given];
}

function newHealth(now: HealthConfig | undefined, flags: Partial<HealthConfig> | null, name: string): HealthConfig | undefined {
  if (flags === null) return undefined;
  if (!now && !flags.test) throw new UsageError(`container ${name} has no healthcheck: give --health-cmd`);
  return healthConfig(undefined, { ...now, ...flags });
}
