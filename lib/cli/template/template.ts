// A template is parsed once and then executed for each value (each container,
// image, ...), so the parse errors come before any output.
import type { Node } from './ast.js';
import { Execution } from './execute.js';
import { Lexer } from './lexer.js';
import { Parser } from './parser.js';

export interface ParseOptions {
  /** `\t` and `\n` typed in the text (as users do in shells) mean a tab and a newline. */
  unescapeText?: boolean;
}

export function parse(source: string, options: ParseOptions = {}): Template {
  const tokens = new Lexer(source, options.unescapeText ?? false).run();
  return new Template(source, new Parser(source, tokens).parse());
}

export class Template {
  constructor(
    readonly source: string,
    readonly root: readonly Node[],
  ) {}

  /** The text for one value (the dot and $); errors are UsageErrors. */
  execute(data: unknown): string {
    return new Execution(this.source, data).run(this.root);
  }
}
