// husk build / husk image build [OPTIONS] CONTEXT: recognised, with whatever
// options docker's build takes, and refused with a word on what to do until
// building lands (DESIGN.md, "Build"), rather than "Unknown arguments".
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { GlobalArgs } from '../common.js';

export const buildCommand: CommandModule<object, GlobalArgs & { args?: string[] }> = {
  command: 'build [args..]',
  describe: 'Build an image from a Dockerfile (not available yet)',
  // Every option of docker's build (-t, -f, --build-arg, ...) is a word here: none is refused before the message.
  builder: (y) => y.parserConfiguration({ 'unknown-options-as-args': true }) as never,
  handler: () => {
    throw new UsageError('building images is not available in husk yet: build with another tool and `husk load` the result, or push it to a registry and `husk pull` it');
  },
};
