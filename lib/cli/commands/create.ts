// husk create [OPTIONS] IMAGE [COMMAND [ARG...]]
import type { CommandModule } from 'yargs';
import { createContainer } from '../../engine/create.js';
import { contextFrom, warnAboutUserns, type GlobalArgs } from '../common.js';
import { CREATE_OPTIONS, podOf, toCreateOptions, type CreateArgs } from '../run-options.js';
import { attachStreams, PODMAN_CREATE_ONLY_OPTIONS, TIMEOUT_NEEDS_SESSION } from '../run-podman-options.js';
import { printOut } from '../output.js';
import { inPod } from './pod-create.js';
import { requiredContainers } from '../../engine/create-extras.js';
import { UsageError } from '../../core/errors.js';

export const createCommand: CommandModule<object, CreateArgs & GlobalArgs> = {
  command: 'create <image> [command..]',
  describe: 'Create a new container without starting it',
  builder: (y) => y.options({ ...CREATE_OPTIONS, ...PODMAN_CREATE_ONLY_OPTIONS }).parserConfiguration({ 'populate--': true }) as never,
  handler: async (argv) => {
    const ctx = contextFrom(argv);
    warnAboutUserns(ctx);
    const opts = { ...toCreateOptions(argv, ctx.rootless), createCommand: process.argv.slice(1) };
    // -a is checked; what start attaches to is start's -a to say.
    attachStreams(argv.attach);
    requiredContainers(ctx, argv.requires);
    if (argv.timeout) throw new UsageError(TIMEOUT_NEEDS_SESSION);
    const pod = podOf(argv);
    const view = await createContainer(ctx, pod ? await inPod(ctx, pod, opts) : opts);
    printOut(`${view.record.id}\n`);
  },
};
