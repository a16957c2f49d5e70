// Which containers a command acts on, besides the names given: podman's
// -l/--latest (the most recently created container) and --filter (every
// container that matches). One option table and one resolver for every
// container command that has them.
import type { Options } from 'yargs';
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { latestContainer, parseContainerFilters, queryContainers } from '../engine/containers.js';

export const LATEST_OPTION: Record<'latest', Options> = {
  latest: { alias: 'l', type: 'boolean', default: false, describe: 'Act on the latest created container (in any state)' },
};

export const FILTER_OPTION: Record<'filter', Options> = {
  filter: { type: 'string', array: true, nargs: 1, default: [], describe: 'Act on every container that matches, as ps --filter does (status=, name=, id=, label=, ...)' },
};

/** The containers named, or with --latest the latest one's ID. */
export function namesOrLatest(ctx: Context, names: string[], latest: boolean): string[] {
  if (latest && names.length > 0) throw new UsageError('--latest and containers cannot be used together');
  return latest ? [latestContainer(ctx).record.id] : names;
}

/** One container: the one named, or with --latest the latest one; neither is a usage error. */
export function nameOrLatest(ctx: Context, name: string | undefined, latest: boolean, command: string): string {
  const [found] = namesOrLatest(ctx, name === undefined ? [] : [name], latest);
  if (found === undefined) throw new UsageError(`${command} needs a container name or ID, or --latest (see 'husk ${command} --help')`);
  return found;
}

/** The IDs of every container --filter matches, in any state, newest first. */
export function filteredIds(ctx: Context, names: string[], filters: string[]): string[] {
  if (names.length > 0) throw new UsageError('--filter takes no arguments');
  return queryContainers(ctx, { all: true, filters: parseContainerFilters(filters) }).map((v) => v.record.id);
}

export interface Targets {
  names: string[];
  all: boolean;
}

/** names/--all as the bulk verbs take them, from names, --latest, --all and --filter. */
export function bulkTargets(ctx: Context, a: { names: string[]; all?: boolean; latest?: boolean; filter?: string[] }): Targets {
  const exclusive = [a.all && '--all', a.latest && '--latest', a.filter?.length && '--filter'].filter(Boolean);
  if (exclusive.length > 1) throw new UsageError(`${exclusive.join(' and ')} cannot be used together`);
  if (a.filter?.length) return { names: filteredIds(ctx, a.names, a.filter), all: false };
  return { names: namesOrLatest(ctx, a.names, a.latest ?? false), all: a.all ?? false };
}
