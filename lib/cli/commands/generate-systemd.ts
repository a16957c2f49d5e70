// husk generate systemd [--new] [--name] [--files] [--restart-policy P] [--restart-sec N]
//   [--time|--stop-timeout N] [--start-timeout N] [--container-prefix P] [--pod-prefix P] [--separator S]
//   [--no-header] [--wants U] [--after U] [--requires U] [-e K=V] [--format json] CONTAINER|POD
import type { CommandModule, Options } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_GENERATE_OPTIONS, generateSystemd, writeUnitFiles, type FlagTable, type GenerateOptions } from '../../engine/systemd.js';
import { contextFrom, GLOBAL_OPTIONS, lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';
import { RUN_OPTIONS } from '../run-options.js';
import { POD_CREATE_OPTIONS } from './pod-create.js';

type Args = GlobalArgs & {
  target: string;
  new: boolean;
  name: boolean;
  files: boolean;
  restartPolicy?: string;
  restartSec?: number;
  time?: number;
  startTimeout?: number;
  containerPrefix: string;
  podPrefix: string;
  separator: string;
  header: boolean;
  wants: string[];
  after: string[];
  requires: string[];
  env: string[];
  format?: string;
  template: boolean;
};

export const generateSystemdCommand: CommandModule<object, Args> = {
  command: 'systemd <target>',
  describe: 'Generate systemd units that run a container, or a pod and its containers, with husk',
  builder: (y) =>
    y.options({
      new: { type: 'boolean', default: false, describe: 'Make a new container (pod) at each start from the command it was created with, and remove it at each stop' },
      name: { alias: 'n', type: 'boolean', default: false, describe: 'Name the container (pod) by name, not ID' },
      files: { alias: 'f', type: 'boolean', default: false, describe: 'Write NAME.service files in the current directory and print their paths' },
      'restart-policy': { type: 'string', coerce: lastWins, describe: 'Restart= of the units: no, on-success, on-failure (default), on-abnormal, on-watchdog, on-abort, always' },
      'restart-sec': { type: 'number', coerce: lastWins, describe: 'RestartSec= of the units' },
      time: { alias: ['t', 'stop-timeout'], type: 'number', coerce: lastWins, describe: "Seconds to wait for the container to stop (default: its stop timeout; --stop-timeout is podman's newer name)" },
      'start-timeout': { type: 'number', coerce: lastWins, describe: 'TimeoutStartSec= of the units' },
      'container-prefix': { type: 'string', coerce: lastWins, default: 'container', describe: 'Prefix of container unit names' },
      'pod-prefix': { type: 'string', coerce: lastWins, default: 'pod', describe: 'Prefix of pod unit names' },
      separator: { type: 'string', coerce: lastWins, default: '-', describe: 'Between the prefix and the name' },
      // --no-header negates --header.
      header: { type: 'boolean', default: true, describe: 'Write the comment header with husk\'s version and the time (--no-header: do not)' },
      wants: { type: 'string', array: true, nargs: 1, default: [], describe: 'Add Wants= to the units' },
      after: { type: 'string', array: true, nargs: 1, default: [], describe: 'Add After= to the units' },
      requires: { type: 'string', array: true, nargs: 1, default: [], describe: 'Add Requires= to the units' },
      env: { alias: 'e', type: 'string', array: true, nargs: 1, default: [], describe: 'Add Environment=KEY=VALUE to the units' },
      format: { type: 'string', coerce: lastWins, describe: 'json: a map of unit names to their text (to their paths with --files)' },
      template: { type: 'boolean', default: false, describe: 'Template units (NAME@.service): not supported' },
    }) as never,
  handler: (argv) => {
    if (argv.template) throw new UsageError('--template is not supported by husk generate systemd');
    if (argv.format !== undefined && argv.format !== 'json') throw new UsageError(`invalid --format "${argv.format}": only json`);
    const ctx = contextFrom(argv);
    const units = generateSystemd(ctx, String(argv.target), generateOptions(argv), flagTable([GLOBAL_OPTIONS, RUN_OPTIONS, POD_CREATE_OPTIONS]), process.env);
    for (const u of units) for (const w of u.warnings) process.stderr.write(`WARNING: ${w}\n`);
    const out = argv.files ? writeUnitFiles(units, process.cwd()) : units.map((u) => u.text);
    if (argv.format === 'json') return printOut(`${JSON.stringify(Object.fromEntries(units.map((u, i) => [u.name, out[i]])), null, 2)}\n`);
    printOut(argv.files ? out.map((p) => `${p}\n`).join('') : out.join('\n'));
  },
};

function generateOptions(argv: Args): GenerateOptions {
  for (const [flag, v] of [['--restart-sec', argv.restartSec], ['--time', argv.time], ['--start-timeout', argv.startTimeout]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new UsageError(`invalid ${flag} "${v}": give whole seconds, 0 or more`);
  }
  return {
    ...DEFAULT_GENERATE_OPTIONS,
    new: argv.new,
    useName: argv.name,
    restartPolicy: argv.restartPolicy,
    restartSec: argv.restartSec,
    stopTimeout: argv.time,
    startTimeout: argv.startTimeout,
    containerPrefix: argv.containerPrefix,
    podPrefix: argv.podPrefix,
    separator: argv.separator,
    noHeader: !argv.header,
    wants: argv.wants,
    after: argv.after,
    requires: argv.requires,
    env: argv.env,
  };
}

/** Which flags of these tables (names and aliases) take a value, and their main names: how a recorded command line is read again. */
export function flagTable(tables: Array<Record<string, Options>>): FlagTable {
  const known = new Map<string, { value: boolean; main: string }>();
  for (const table of tables) {
    for (const [name, o] of Object.entries(table)) {
      for (const n of [name, ...([] as string[]).concat((o.alias as string | string[] | undefined) ?? [])]) known.set(n, { value: o.type !== 'boolean', main: name });
    }
  }
  return { takesValue: (name) => known.get(name)?.value, canonical: (name) => known.get(name)?.main ?? name };
}
