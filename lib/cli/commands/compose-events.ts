// husk compose events [--json] [SERVICE...]: the project's container events as they happen.
import type { CommandModule } from 'yargs';
import { newEvents, type HuskEvent } from '../../engine/events.js';
import { LABEL } from '../../engine/compose-service.js';
import { contextFrom } from '../common.js';
import { loadComposeProject, type ComposeArgs } from '../compose-options.js';
import { printOut } from '../output.js';

export const composeEventsCommand: CommandModule<object, ComposeArgs & { services?: string[]; json: boolean }> = {
  command: 'events [services..]',
  describe: 'Receive real time events from containers',
  builder: (y) => y.options({ json: { type: 'boolean', default: false, describe: 'Output events as a stream of json objects' } }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    const project = loadComposeProject(argv, { quiet: true });
    const filters = new Map([['type', ['container']], ['label', [`${LABEL.project}=${project.name}`]]]);
    let stopped = false;
    process.once('SIGINT', () => (stopped = true));
    for await (const e of newEvents(ctx, { filters }, () => stopped)) {
      const service = e.attributes?.[LABEL.service] ?? '';
      if (argv.services?.length && !argv.services.includes(service)) continue;
      printOut(argv.json ? `${JSON.stringify(jsonOf(e, service))}\n` : `${e.time} container ${e.action} ${e.id} (${attributes(e)})\n`);
    }
  },
};

/** docker compose's JSON event. */
function jsonOf(e: HuskEvent, service: string) {
  return { time: e.time, type: 'container', action: e.action, id: e.id, service, attributes: { name: e.name ?? '', image: e.image ?? '' } };
}

function attributes(e: HuskEvent): string {
  return Object.entries({ image: e.image ?? '', name: e.name ?? '', ...(e.exitCode !== undefined ? { exitCode: String(e.exitCode) } : {}) })
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
