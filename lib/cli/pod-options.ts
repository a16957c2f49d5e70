// What the `husk pod` verbs share: the pods they name (or --all), each acted
// on in turn, its ID printed or its error reported, as podman's pod verbs do.
import type { Context } from '../core/context.js';
import { podExists, selectPods, type PodRecord } from '../engine/pods.js';
import { contextFrom, type GlobalArgs } from './common.js';
import { printReports } from './each.js';
import { namesAndIdFiles } from './run-options.js';

export type PodVerbArgs = GlobalArgs & { pods?: string[]; all: boolean; podIdFile?: string[]; ignore?: boolean };

export const ALL_OPTION = {
  all: { alias: 'a', type: 'boolean', default: false, describe: 'All pods' },
  'pod-id-file': { type: 'string', array: true, nargs: 1, default: [], describe: 'Read the pod ID from this file' },
} as const;

/** pod stop/rm --ignore (podman's, for units): a pod that does not exist, or a missing --pod-id-file, is no error. */
export const IGNORE_OPTION = { ignore: { alias: 'i', type: 'boolean', default: false, describe: 'A pod that does not exist is no error' } } as const;

export async function eachPod(argv: PodVerbArgs, fn: (ctx: Context, pod: PodRecord) => unknown): Promise<void> {
  const ctx = contextFrom(argv);
  const reports: Array<{ name: string; error?: Error }> = [];
  const ignore = argv.ignore ?? false;
  let names = namesAndIdFiles(argv.pods, argv.podIdFile, '--pod-id-file', ignore);
  if (ignore) {
    names = names.filter((p) => podExists(ctx, p));
    if (!argv.all && names.length === 0) return;
  }
  for (const pod of selectPods(ctx, names, argv.all)) {
    try {
      await fn(ctx, pod);
      reports.push({ name: pod.id });
    } catch (err) {
      reports.push({ name: pod.name, error: err as Error });
    }
  }
  printReports(reports);
}
