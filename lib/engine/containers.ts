// Looking at containers: listing, finding, logs. Creating, starting and
// removing them live in create.ts, start.ts and remove.ts.
import fs from 'node:fs';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import type { Context } from './context.js';

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Reads the k8s-file log: "<time> <stream> <F|P> <text>"; P records continue the line. */
export function readLogs(ctx: Context, view: ContainerView): LogRecord[] {
  const file = new ContainerStore(ctx).paths(view.record.id).log;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/.exec(line);
    if (!m) continue;
    out.push({ time: m[1]!, stream: m[2] as 'stdout' | 'stderr', text: m[3] === 'F' ? `${m[4]}\n` : m[4]! });
  }
  return out;
}

export function listContainers(ctx: Context, all: boolean): ContainerView[] {
  const views = new ContainerStore(ctx).list();
  return all ? views : views.filter((v) => v.status === 'running');
}

export function getContainer(ctx: Context, nameOrId: string): ContainerView {
  return new ContainerStore(ctx).get(nameOrId);
}
