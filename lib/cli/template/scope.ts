// The variables of one execution: $ (the value the template runs on) and
// those declared by pipelines. Declarations live until the end of the control
// ({{if}}, {{with}}, {{range}}) that holds them, so the executor marks the
// stack when it enters one and restores the mark when it leaves.
import { templateError } from './errors.js';

interface Variable {
  name: string;
  value: unknown;
}

export class Scope {
  private readonly vars: Variable[];

  constructor(root: unknown) {
    this.vars = [{ name: '$', value: root }];
  }

  mark(): number {
    return this.vars.length;
  }

  /** Forgets the variables declared since `mark`. */
  restore(mark: number): void {
    this.vars.length = mark;
  }

  declare(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  /** $x = value: the innermost $x. The parser has checked it exists. */
  assign(name: string, value: unknown): void {
    const v = this.lookup(name);
    if (!v) throw templateError(`undefined variable: ${name}`);
    v.value = value;
  }

  lookup(name: string): Variable | undefined {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i];
    }
    return undefined;
  }

  /** Overwrites the latest declarations, oldest first: range's $i, $v for each element. */
  overwriteLatest(values: unknown[]): void {
    const first = this.vars.length - values.length;
    values.forEach((value, i) => (this.vars[first + i]!.value = value));
  }
}
