// husk pull [-q] [-a] [--platform OS/ARCH[/VARIANT] | --os OS --arch ARCH --variant V] [--tls-verify=false] [--cert-dir DIR] [--creds USER:PASS] [--authfile F] IMAGE[:TAG|@DIGEST]
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { pullAllTags, pullImage } from '../../engine/registry.js';
import { hostPlatform } from '../../engine/registry.js';
import { contextFrom, lastWins, warnAboutUserns, type GlobalArgs } from '../common.js';
import { ProgressBoard } from '../progress.js';
import { accessFrom, REGISTRY_OPTIONS, type RegistryArgs } from '../registry-options.js';
import { printOut } from '../output.js';

type PullArgs = GlobalArgs & RegistryArgs & { image: string; quiet: boolean; allTags: boolean; platform?: string; os?: string; arch?: string; variant?: string };

/** --platform, or --os/--arch/--variant (which podman does not let go with --platform). */
function platformFrom(argv: PullArgs): string | undefined {
  if (argv.os === undefined && argv.arch === undefined && argv.variant === undefined) return argv.platform;
  if (argv.platform !== undefined) throw new UsageError('--platform cannot be given with --os, --arch or --variant');
  const host = hostPlatform();
  return [argv.os ?? 'linux', argv.arch ?? host.architecture, ...(argv.variant ? [argv.variant] : [])].join('/');
}

export const pullCommand: CommandModule<object, PullArgs> = {
  command: 'pull <image>',
  describe: 'Pull an image from a registry',
  builder: (y) =>
    y.options({
      quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Print only the image ID' },
      'all-tags': { alias: 'a', type: 'boolean', default: false, describe: 'Pull every tag of the repository' },
      platform: { type: 'string', coerce: lastWins, describe: 'Platform to choose from a multi-platform image: os/arch[/variant]' },
      os: { type: 'string', coerce: lastWins, describe: 'Operating system to choose (default linux)' },
      arch: { type: 'string', coerce: lastWins, describe: 'Architecture to choose (default the host\'s)' },
      variant: { type: 'string', coerce: lastWins, describe: 'Architecture variant to choose (arm/v7: v7)' },
      ...REGISTRY_OPTIONS,
    }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    // Bars on a terminal; the same lines, one per event, when stderr is piped.
    const board = !argv.quiet && process.stderr.isTTY ? new ProgressBoard() : undefined;
    const opts = {
      platform: platformFrom(argv),
      ...accessFrom(argv),
      progress: argv.quiet ? undefined : board ? (line: string) => board.line(line) : (line: string) => process.stderr.write(`${line}\n`),
      warn: (line: string) => (board ? board.line(`WARNING: ${line}`) : process.stderr.write(`WARNING: ${line}\n`)),
      bytes: board && ((digest: string, received: number, total: number) => board.bytes(digest, received, total)),
    };
    const results = argv.allTags ? await pullAllTags(ctx, String(argv.image), opts) : [await pullImage(ctx, String(argv.image), opts)];
    printOut(results.map((r) => `sha256:${r.image.id}\n`).join(''));
  },
};
