// Go's fmt.Sprintf, Sprint and Sprintln, for the print, printf and println
// functions: one verb per operand, and Go's %!v(MISSING)-style complaints in
// the output instead of errors, as Go prints them.
import { formatArg, formatValue, PLAIN, type Spec } from './fmt.js';
import { goType } from './values.js';

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  return new Printf(format, args).run();
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  return args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(a)).join('');
}

export function sprintln(args: unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

/** One run through a format: where it is, and which operand comes next. */
class Printf {
  private out = '';
  private i = 0;
  private next = 0;

  constructor(
    private readonly format: string,
    private readonly args: unknown[],
  ) {}

  run(): string {
    while (this.i < this.format.length) {
      const percent = this.format.indexOf('%', this.i);
      if (percent < 0) {
        this.out += this.format.slice(this.i);
        break;
      }
      this.out += this.format.slice(this.i, percent);
      this.i = percent + 1;
      if (!this.directive()) break;
    }
    if (this.next < this.args.length) this.out += extra(this.args.slice(this.next));
    return this.out;
  }

  /** One %[flags][width][.precision]verb after its %; false when the format ends before the verb. */
  private directive(): boolean {
    const spec = this.flags();
    this.width(spec);
    this.precision(spec);
    const cp = this.format.codePointAt(this.i);
    if (cp === undefined) {
      this.out += '%!(NOVERB)';
      return false;
    }
    const verb = String.fromCodePoint(cp);
    this.i += verb.length;
    if (verb === '%') this.out += '%';
    else if (this.next >= this.args.length) this.out += `%!${verb}(MISSING)`;
    else this.out += formatArg(this.args[this.next++], verb, spec);
    return true;
  }

  private flags(): Spec {
    const spec: Spec = { ...PLAIN };
    for (let f = this.format[this.i]; f !== undefined && '+-# 0'.includes(f); f = this.format[++this.i]) {
      if (f === '+') spec.plus = true;
      else if (f === '-') spec.minus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === '0') spec.zero = true;
      else spec.space = true;
    }
    return spec;
  }

  /** A number, or * for the next operand (a negative one meaning - and its absolute value). */
  private width(spec: Spec): void {
    if (this.format[this.i] === '*') {
      this.i++;
      const w = this.takeInt();
      if (w === undefined) this.out += '%!(BADWIDTH)';
      else if (w < 0) [spec.minus, spec.width] = [true, -w];
      else spec.width = w;
      return;
    }
    const w = /^\d+/.exec(this.format.slice(this.i))?.[0];
    if (w) [spec.width, this.i] = [Number(w), this.i + w.length];
  }

  /** .N, .* for the next operand, or a bare . meaning 0. */
  private precision(spec: Spec): void {
    if (this.format[this.i] !== '.') return;
    this.i++;
    if (this.format[this.i] === '*') {
      this.i++;
      const p = this.takeInt();
      if (p === undefined || p < 0) this.out += '%!(BADPREC)';
      else spec.precision = p;
      return;
    }
    const p = /^\d*/.exec(this.format.slice(this.i))![0];
    [spec.precision, this.i] = [Number(p || 0), this.i + p.length];
  }

  /** The next operand as a * width or precision; it is used up even when it is no integer. */
  private takeInt(): number | undefined {
    const v = this.args[this.next++];
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  }
}

/** Operands no verb used, as Go lists them after the output. */
function extra(args: unknown[]): string {
  return `%!(EXTRA ${args.map((a) => (a === null || a === undefined ? '<nil>' : `${goType(a)}=${formatValue(a)}`)).join(', ')})`;
}
