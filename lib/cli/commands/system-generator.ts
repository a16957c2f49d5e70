// husk-generator [--user] [--dryrun] [-v] [NORMAL_DIR [EARLY_DIR LATE_DIR]]:
// what systemd runs (bin/husk-generator, a link to husk, installed by
// `husk system install-generator`). The services go into NORMAL_DIR;
// warnings and errors go to stderr (the journal), one line each, named
// after the file they concern. Named husk-user-generator (systemd's
// user-generators link), it reads the user's Quadlet directories.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { runGenerator } from '../../engine/quadlet.js';
import { printOut } from '../output.js';

type Args = { words?: string[] };

export const systemGeneratorCommand: CommandModule<object, Args> = {
  command: 'generator [words..]',
  describe: false,
  // systemd's arguments and podman's single-dash flags (-dryrun) are read here, not by husk's parser.
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }) as never,
  handler: (argv) => {
    const words = (argv.words ?? []).map(String);
    const flag = (...names: string[]) => words.some((w) => names.includes(w));
    const dirs = words.filter((w) => !w.startsWith('-'));
    const user = flag('--user', '-user');
    const dryRun = flag('--dryrun', '-dryrun', '--dry-run');
    const verbose = flag('-v', '--verbose') || dryRun;
    const unknown = words.filter((w) => w.startsWith('-') && !['--user', '-user', '--dryrun', '-dryrun', '--dry-run', '-v', '--verbose', '--no-kmsg-log', '-no-kmsg-log'].includes(w));
    if (unknown.length) throw new UsageError(`husk-generator: unknown option ${unknown[0]}: use [--user] [--dryrun] [-v] NORMAL_DIR [EARLY_DIR LATE_DIR]`);
    if (!dryRun && dirs.length === 0) throw new UsageError('husk-generator: missing the output directory (systemd gives NORMAL_DIR EARLY_DIR LATE_DIR)');
    const name = user ? 'husk-user-generator' : 'husk-generator';
    const log = (line: string) => process.stderr.write(`${name}[${process.pid}]: ${line}\n`);
    const result = runGenerator({ user, dryRun, outputDir: dirs[0], env: process.env, uid: process.getuid?.() ?? 0, generator: name });
    for (const w of result.warnings) log(`Warning: ${w}`);
    for (const e of result.errors) log(`Error: ${e} (no service made from it)`);
    if (verbose) for (const f of result.written) log(`wrote ${f}`);
    if (dryRun) printOut(result.services.map((s) => `---${s.filename}---\n${s.text}`).join('\n'));
    if (result.errors.length) process.exitCode = 1;
  },
};
