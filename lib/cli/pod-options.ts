// What the `husk pod` verbs share: the pods they name (or --all), each acted
// on in turn, its ID printed or its error reported, as podman's pod verbs do.
import type { Context } from '../core/context.js';
import { selectPods, type PodRecord } from '../engine/pods.js';
import { contextFrom, type GlobalArgs } from './common.js';
import { printReports } from './each.js';

export type PodVerbArgs = GlobalArgs & { pods?: string[]; all: boolean };

export const ALL_OPTION = { all: { alias: 'a', type: 'boolean', default: false, describe: 'All pods' } } as const;

export async function eachPod(argv: PodVerbArgs, fn: (ctx: Context, pod: PodRecord) => unknown): Promise<void> {
  const ctx = contextFrom(argv);
  const reports: Array<{ name: string; error?: Error }> = [];
  for (const pod of selectPods(ctx, argv.pods ?? [], argv.all)) {
    try {
      await fn(ctx, pod);
      reports.push({ name: pod.id });
    } catch (err) {
      reports.push({ name: pod.name, error: err as Error });
    }
  }
  printReports(reports);
}
