// The context the CLI runs the engine in: core's Context with the real addon
// behind ctx.native() (tests build one with a fake instead).
import { buildContext, type Context, type ContextOptions } from '../core/context.js';
import { native } from '../native/binding.js';

export type { Context, UserInterface } from '../core/context.js';

export function openContext(opts: Omit<ContextOptions, 'native'> = {}): Context {
  return buildContext({ ...opts, native });
}
