// Events without a daemon: every command that changes a container, image,
// volume or network appends a record to the user's events log
// (lib/storage/event-log.ts); the cleanup and healthcheck processes the
// monitor starts record die, oom and health_status. `husk events` reads the
// log and follows it.
import type { Context } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { appendEvent, eventLog, followEvents, readEvents } from '../storage/event-log.js';
import type { ContainerRecord } from '../runtime/container-store.js';

export type EventType = 'container' | 'image' | 'volume' | 'network';

export interface HuskEvent {
  /** RFC 3339, in UTC. */
  time: string;
  type: EventType;
  action: string;
  /** The object's ID (an image's, a container's) or name (volume, network). */
  id: string;
  name?: string;
  image?: string;
  exitCode?: number;
  attributes?: Record<string, string>;
}

export function recordEvent(ctx: Context, e: Omit<HuskEvent, 'time'>): void {
  appendEvent(eventLog(ctx.paths.runRoot), { time: new Date().toISOString(), ...e });
}

export function containerEvent(ctx: Context, record: ContainerRecord, action: string, extra: Partial<HuskEvent> = {}): void {
  recordEvent(ctx, { type: 'container', action, id: record.id, name: record.name, image: record.imageName, ...(record.labels ? { attributes: { ...record.labels } } : {}), ...extra });
}

/** Where the events log is (the monitor appends to it itself). */
export function eventLogFile(ctx: Context): string {
  return eventLog(ctx.paths.runRoot).file;
}

/** The "die" event of a container as JSON without its time, exit code and closing brace: the monitor adds those. */
export function dieEventPrefix(record: ContainerRecord): string {
  const e = { type: 'container', action: 'die', id: record.id, name: record.name, image: record.imageName, ...(record.labels ? { attributes: record.labels } : {}) };
  return JSON.stringify(e).slice(0, -1);
}

export interface EventQuery {
  /** Milliseconds since the epoch. */
  since?: number;
  until?: number;
  /** --filter KEY=VALUE: values of one key are alternatives; keys must all match. */
  filters: Map<string, string[]>;
}

const FILTER_KEYS = ['type', 'event', 'action', 'container', 'image', 'volume', 'network', 'label'];

export function parseEventFilters(list: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of list) {
    const eq = f.indexOf('=');
    const key = eq > 0 ? f.slice(0, eq) : '';
    if (!FILTER_KEYS.includes(key)) throw new UsageError(`invalid filter "${f}": use ${FILTER_KEYS.join(', ')} (KEY=VALUE)`);
    const k = key === 'action' ? 'event' : key;
    out.set(k, [...(out.get(k) ?? []), f.slice(eq + 1)]);
  }
  return out;
}

/** --since/--until: RFC 3339, a date, Unix seconds, or a duration before now (10m, 1h30m). */
export function parseEventTime(text: string, flag: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const ago = parseDuration(text);
  if (ago !== undefined && /[a-zµ]$/.test(text)) return now - ago;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`invalid ${flag} "${text}": give a time (2026-01-02T15:04:05Z), Unix seconds, or a duration such as 10m`);
  return t;
}

function matches(e: HuskEvent, q: EventQuery): boolean {
  const t = Date.parse(e.time);
  if (q.since !== undefined && t < q.since) return false;
  if (q.until !== undefined && t > q.until) return false;
  const test: Record<string, (v: string) => boolean> = {
    type: (v) => e.type === v,
    event: (v) => e.action === v,
    container: (v) => e.type === 'container' && (e.id.startsWith(v) || e.name === v),
    image: (v) => (e.type === 'image' && (e.id.startsWith(v) || e.name === v)) || e.image === v,
    volume: (v) => e.type === 'volume' && e.id === v,
    network: (v) => e.type === 'network' && (e.id === v || e.name === v),
    label: (v) => {
      const eq = v.indexOf('=');
      const attrs = e.attributes ?? {};
      return eq < 0 ? v in attrs : attrs[v.slice(0, eq)] === v.slice(eq + 1);
    },
  };
  return [...q.filters].every(([key, values]) => values.some((v) => test[key]!(v)));
}

/** The events in the log that match, oldest first. */
export function pastEvents(ctx: Context, q: EventQuery): HuskEvent[] {
  return readEvents<HuskEvent>(eventLog(ctx.paths.runRoot)).filter((e) => matches(e, q));
}

/** Matching events as they are recorded, until `stop` (or --until) says so. */
export async function* newEvents(ctx: Context, q: EventQuery, stop: () => boolean): AsyncGenerator<HuskEvent> {
  const done = () => stop() || (q.until !== undefined && Date.now() > q.until);
  for await (const e of followEvents<HuskEvent>(eventLog(ctx.paths.runRoot), done)) if (matches(e, q)) yield e;
}
