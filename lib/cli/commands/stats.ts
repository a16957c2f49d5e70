// husk stats [--no-stream] [-a] [--format F] [--no-trunc] [-i SECONDS] [CONTAINER...]
import type { CommandModule } from 'yargs';
import { statsSampler, type StatsRow } from '../../engine/stats.js';
import { UsageError } from '../../core/errors.js';
import { contextFrom, humanSize, lastWins, table, type GlobalArgs } from '../common.js';
import { renderRows, type Row } from '../format.js';
import { printOut } from '../output.js';
import { ignoredFlag } from '../compat.js';
import { LATEST_OPTION, namesOrLatest } from '../targets.js';

type StatsArgs = GlobalArgs & { containers?: string[]; all: boolean; stream: boolean; format?: string; trunc: boolean; interval: number; latest: boolean };

const HEADERS = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

export const statsCommand: CommandModule<object, StatsArgs> = {
  command: 'stats [containers..]',
  describe: 'Show the CPU, memory, network, block I/O and process use of containers, live',
  builder: (y) =>
    y.options({
      all: { alias: 'a', type: 'boolean', default: false, describe: 'Show all containers (default shows just running)' },
      stream: { type: 'boolean', default: true, describe: 'Refresh until interrupted (--no-stream: one sample)' },
      format: { type: 'string', coerce: lastWins, describe: 'Format with a Go template: {{.Name}} {{.CPUPerc}} {{.MemUsage}} ... or json, table' },
      trunc: { type: 'boolean', default: true, describe: 'Truncate IDs (--no-trunc: full IDs)' },
      interval: { alias: 'i', type: 'number', default: 5, describe: 'Seconds between refreshes' },
      ...LATEST_OPTION,
      'no-reset': ignoredFlag('no-reset', 'boolean', 'husk draws each refresh anew; there is no screen state to keep'),
    }) as never,
  handler: async (argv) => {
    if (!(argv.interval > 0)) throw new UsageError(`invalid --interval ${argv.interval}: give seconds above 0`);
    const ctx = contextFrom(argv);
    const sample = statsSampler(ctx, { names: namesOrLatest(ctx, argv.containers ?? [], argv.latest), all: argv.all });
    const show = (rows: StatsRow[]) => render(rows.map((r) => rowOf(r, argv.trunc)), argv.format);
    if (!argv.stream) {
      printOut(show(sample()));
      return;
    }
    const live = process.stdout.isTTY === true;
    let stopped = false;
    process.once('SIGINT', () => (stopped = true));
    while (!stopped) {
      const text = show(sample());
      // On a terminal the table is drawn again in place, as top does; piped, one block per refresh.
      printOut(live ? `\x1b[2J\x1b[H${text}` : text);
      const until = Date.now() + argv.interval * 1000;
      while (!stopped && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
    }
  },
};

const percent = (v: number | undefined) => (v === undefined ? '--' : `${v.toFixed(2)}%`);
const size = (v: number | undefined) => (v === undefined ? '--' : humanSize(v));
const pair = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? '-- / --' : `${size(a)} / ${size(b)}`);

function rowOf(r: StatsRow, trunc: boolean): Row {
  return {
    ID: trunc ? r.id.slice(0, 12) : r.id,
    Container: trunc ? r.id.slice(0, 12) : r.id,
    Name: r.name,
    CPUPerc: percent(r.cpuPercent),
    CPU: percent(r.cpuPercent),
    MemUsage: pair(r.memUsage, r.memLimit),
    MemUsageBytes: size(r.memUsage),
    MemLimit: size(r.memLimit),
    MemPerc: percent(r.memPercent),
    NetIO: pair(r.netRx, r.netTx),
    BlockIO: pair(r.blockRead, r.blockWrite),
    PIDs: r.pids === undefined ? '--' : String(r.pids),
    PIDS: r.pids === undefined ? '--' : String(r.pids),
  };
}

function render(rows: Row[], format: string | undefined): string {
  if (format) return renderRows(format, rows, { ID: 'CONTAINER ID', Container: 'CONTAINER', Name: 'NAME', CPUPerc: 'CPU %', CPU: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS', PIDS: 'PIDS' });
  return table(HEADERS, rows.map((r) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs].map(String)));
}
