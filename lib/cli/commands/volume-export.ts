// husk volume export [-o FILE] VOLUME / import VOLUME FILE|- / mount,
// unmount, reload: podman's other volume verbs, for local volumes.
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { volumeMountpoint, volumeTar } from '../../engine/volumes.js';
import { contextFrom, lastWins, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

type ExportArgs = GlobalArgs & { volume: string; output?: string };

export const volumeExportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <volume>',
  describe: "Write a volume's content as a tar archive (to stdout, or -o FILE)",
  builder: (y) => y.options({ output: { alias: 'o', type: 'string', coerce: lastWins, describe: 'Write to this file instead of stdout' } }) as never,
  handler: (argv) => {
    const ctx = contextFrom(argv);
    if (argv.output === undefined && process.stdout.isTTY) throw new UsageError('refusing to write a tar archive to a terminal: redirect stdout or give -o FILE');
    const fd = argv.output === undefined ? 1 : fs.openSync(argv.output, 'w', 0o644);
    try {
      volumeTar(ctx, String(argv.volume), 'export', fd);
    } finally {
      if (fd !== 1) fs.closeSync(fd);
    }
  },
};

export const volumeImportCommand: CommandModule<object, GlobalArgs & { volume: string; source: string }> = {
  command: 'import <volume> <source>',
  describe: 'Unpack a tar archive (a file, or - for stdin) into a volume',
  handler: (argv) => {
    const ctx = contextFrom(argv);
    const source = String(argv.source);
    const fd = source === '-' ? 0 : fs.openSync(source, 'r');
    try {
      volumeTar(ctx, String(argv.volume), 'import', fd);
    } finally {
      if (fd !== 0) fs.closeSync(fd);
    }
  },
};

export const volumeMountCommand: CommandModule<object, GlobalArgs & { volume: string }> = {
  command: 'mount <volume>',
  describe: "Print a volume's directory (a local volume needs no mount)",
  handler: (argv) => {
    printOut(`${volumeMountpoint(contextFrom(argv), String(argv.volume))}\n`);
  },
};

export const volumeUnmountCommand: CommandModule<object, GlobalArgs & { volume: string }> = {
  command: 'unmount <volume>',
  aliases: ['umount'],
  describe: 'Nothing to do: a local volume is a directory, never mounted by volume mount',
  handler: (argv) => {
    volumeMountpoint(contextFrom(argv), String(argv.volume)); // an unknown volume is still an error
  },
};

export const volumeReloadCommand: CommandModule = {
  command: 'reload',
  describe: 'Nothing to do: husk has no volume plugins to reload volumes from',
  handler: () => {},
};
