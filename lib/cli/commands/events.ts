// husk events [--since T] [--until T] [--filter K=V]... [--format F] [--stream=false] [--no-trunc=false]
import type { CommandModule } from 'yargs';
import { newEvents, parseEventFilters, parseEventTime, pastEvents, type EventQuery, type HuskEvent } from '../../engine/events.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';

type EventsArgs = GlobalArgs & { since?: string; until?: string; filter: string[]; format?: string; stream: boolean; noTrunc: boolean };

export const eventsCommand: CommandModule<object, EventsArgs> = {
  command: 'events',
  describe: 'Show what husk commands did to containers, images, volumes and networks, and follow it',
  builder: (y) =>
    y.options({
      since: { type: 'string', coerce: lastWins, describe: 'Events from this time on: RFC 3339, Unix seconds, or a duration ago (10m)' },
      until: { type: 'string', coerce: lastWins, describe: 'Events up to this time (then stop)' },
      filter: { alias: 'f', type: 'string', array: true, nargs: 1, default: [], describe: 'type=, event=, container=, image=, volume=, network=, label=' },
      format: { type: 'string', coerce: lastWins, describe: 'Format with a Go template ({{.Type}} {{.Action}} {{.ID}} {{.Name}} {{.Time}}) or json' },
      stream: { type: 'boolean', default: true, describe: 'Follow new events (--stream=false: the past ones, then exit)' },
      'no-trunc': { type: 'boolean', default: true, describe: 'Whole IDs (--no-trunc=false: 12 characters)' },
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const q: EventQuery = {
      since: argv.since === undefined ? undefined : parseEventTime(argv.since, '--since'),
      until: argv.until === undefined ? undefined : parseEventTime(argv.until, '--until'),
      filters: parseEventFilters(argv.filter),
    };
    const show = (events: HuskEvent[]) => {
      if (events.length > 0) printOut(render(events, argv.format, argv.noTrunc));
    };
    show(pastEvents(ctx, q));
    if (!argv.stream || (q.until !== undefined && q.until <= Date.now())) return;
    let stopped = false;
    process.once('SIGINT', () => (stopped = true));
    for await (const e of newEvents(ctx, q, () => stopped)) show([e]);
  },
};

function rowOf(e: HuskEvent): Row {
  return {
    Time: e.time,
    TimeNano: Date.parse(e.time) * 1e6,
    Type: e.type,
    Status: e.action,
    Action: e.action,
    ID: e.id,
    Name: e.name ?? '',
    Image: e.image ?? '',
    ContainerExitCode: e.exitCode ?? '',
    Attributes: e.attributes ?? {},
    Actor: { ID: e.id, Attributes: { ...(e.attributes ?? {}), ...(e.name ? { name: e.name } : {}), ...(e.image ? { image: e.image } : {}) } },
  };
}

/** docker's line: TIME TYPE ACTION ID (image=..., name=..., k=v). */
function render(events: HuskEvent[], format: string | undefined, whole: boolean): string {
  if (format) return renderRows(format, events.map(rowOf));
  return events
    .map((e) => {
      const attrs = { ...(e.image ? { image: e.image } : {}), ...(e.name ? { name: e.name } : {}), ...(e.exitCode !== undefined ? { exitCode: String(e.exitCode) } : {}), ...(e.attributes ?? {}) };
      const list = Object.entries(attrs).map(([k, v]) => `${k}=${v}`).join(', ');
      return `${e.time.replace(/\.(\d{3})Z$/, '.$1000000Z')} ${e.type} ${e.action} ${whole ? e.id : e.id.slice(0, 12)}${list ? ` (${list})` : ''}\n`;
    })
    .join('');
}
