// Evaluates pipelines as Go's text/template does: commands, fields (and
// function-valued fields called as methods), variables, and calls of the
// built-in functions with Go's argument checks. Errors name the line, column
// and operand as Go's do. Execution (execute.ts) builds on this to walk the
// tree and print.
import type { Arg, Command, Located, Pipe } from './ast.js';
import { convertArg } from './convert.js';
import { CallError, executionError } from './errors.js';
import { FUNCTIONS, type Param } from './functions.js';
import { Scope } from './scope.js';
import { goType, isObject, isTrue, looksLikeMap, MAP_FIELDS, type CallContext, type Obj } from './values.js';

/** No value came down the pipeline (distinct from undefined, a missing map key). */
const NO_FINAL = Symbol('no final argument');

export class Evaluator implements CallContext {
  protected readonly scope: Scope;
  /** Objects reached through a MAP_FIELDS field: maps wherever they go. */
  private readonly maps = new WeakSet<object>();

  constructor(
    private readonly source: string,
    protected readonly root: unknown,
  ) {
    this.scope = new Scope(root);
  }

  isMap(o: Obj): boolean {
    return o !== this.root && (this.maps.has(o) || looksLikeMap(o));
  }

  protected fail(at: Located, message: string): never {
    throw executionError(this.source, at, message);
  }

  private varValue(at: Located, name: string): unknown {
    const v = this.scope.lookup(name);
    if (!v) this.fail(at, `undefined variable: ${name}`);
    return v.value;
  }

  protected evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.scope.assign(name, value);
      else this.scope.declare(name, value);
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        return this.evalFields(dot, first, first.names, cmd, final);
      case 'chain':
        return this.evalFields(this.evalArg(dot, first.node), first, first.names, cmd, final);
      case 'variable': {
        const value = this.varValue(first, first.name);
        if (first.names.length) return this.evalFields(value, first, first.names, cmd, final);
        this.notAFunction(cmd, final);
        return value;
      }
      case 'function':
        return this.callFunction(dot, first, cmd.args.slice(1), final, cmd);
      case 'pipe':
        this.notAFunction(cmd, final);
        return this.evalPipeline(dot, first.pipe);
      case 'nil':
        return this.fail(first, 'nil is not a command');
      default:
        this.notAFunction(cmd, final);
        return first.kind === 'dot' ? dot : first.value;
    }
  }

  private notAFunction(cmd: Command, final: unknown): void {
    const first = cmd.args[0]!;
    if (cmd.args.length > 1 || final !== NO_FINAL) this.fail(first, `can't give argument to non-function ${first.text}`);
  }

  /** An operand given to a function or method. */
  private evalArg(dot: unknown, arg: Arg): unknown {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'literal':
        return arg.value;
      case 'field':
        return this.evalFields(dot, arg, arg.names, undefined, NO_FINAL);
      case 'variable': {
        const value = this.varValue(arg, arg.name);
        return arg.names.length ? this.evalFields(value, arg, arg.names, undefined, NO_FINAL) : value;
      }
      case 'chain':
        return this.evalFields(this.evalArg(dot, arg.node), arg, arg.names, undefined, NO_FINAL);
      case 'pipe':
        return this.evalPipeline(dot, arg.pipe);
      case 'function':
        return this.callFunction(dot, arg, [], NO_FINAL, arg);
    }
  }

  /** .A.B.C from `receiver`; arguments and the piped value go to the last one, if it is a method. */
  private evalFields(receiver: unknown, at: Located, names: string[], cmd: Command | undefined, final: unknown): unknown {
    let value = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      value = this.evalField(value, name, at, last ? (cmd?.args.slice(1) ?? []) : [], last ? final : NO_FINAL, cmd);
    });
    return value;
  }

  private evalField(receiver: unknown, name: string, at: Located, args: Arg[], final: unknown, cmd: Command | undefined): unknown {
    const hasArgs = args.length > 0 || final !== NO_FINAL;
    // A field of a missing map entry is missing too, as in Go.
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(at, `nil pointer evaluating interface {}.${name}`);
    if (!isObject(receiver)) this.fail(at, `can't evaluate field ${name} in type ${goType(receiver)}`);
    if (!Object.hasOwn(receiver, name)) {
      if (!this.isMap(receiver)) this.fail(at, `can't evaluate field ${name}: use one of ${Object.keys(receiver).join(', ')}`);
      if (hasArgs) this.fail(at, `${name} is not a method but has arguments`);
      return undefined;
    }
    const value = receiver[name];
    if (typeof value === 'function') return this.callMethod(receiver, name, value, args, final, cmd ?? at);
    if (hasArgs) this.fail(at, `${name} has arguments but cannot be invoked as function`);
    if (MAP_FIELDS.has(name) && isObject(value)) this.maps.add(value);
    return value;
  }

  /** A function-valued field, called the way Go calls a method. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- whatever function the data holds (typeof narrows to Function)
  private callMethod(receiver: Obj, name: string, method: Function, args: Arg[], final: unknown, at: Located): unknown {
    const values = args.map((a) => this.evalArg(receiver, a));
    if (final !== NO_FINAL) values.push(final);
    try {
      return method.apply(receiver, values) as unknown;
    } catch (err) {
      this.fail(at, `error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private callFunction(dot: unknown, fn: Extract<Arg, { kind: 'function' }>, args: Arg[], final: unknown, at: Located): unknown {
    const builtin = FUNCTIONS[fn.name]!;
    const count = args.length + (final === NO_FINAL ? 0 : 1);
    if (builtin.rest ? count < builtin.params.length : count !== builtin.params.length) {
      this.fail(fn, `wrong number of args for ${fn.name}: want ${builtin.rest ? 'at least ' : ''}${builtin.params.length} got ${count}`);
    }
    if (fn.name === 'and' || fn.name === 'or') return this.andOr(dot, fn.name === 'or', args, final);
    const param = (i: number): Param => builtin.params[i] ?? builtin.rest ?? 'any';
    const values = args.map((arg, i) => this.convert(arg, arg, this.evalArg(dot, arg), param(i)));
    if (final !== NO_FINAL) values.push(this.convert(at, undefined, final, param(args.length)));
    try {
      return builtin.fn(values, this);
    } catch (err) {
      if (err instanceof CallError) this.fail(at, `error calling ${fn.name}: ${err.message}`);
      throw err;
    }
  }

  /** and/or stop at the first argument that decides, and return it. */
  private andOr(dot: unknown, isOr: boolean, args: Arg[], final: unknown): unknown {
    let value: unknown;
    for (const arg of args) {
      value = this.evalArg(dot, arg);
      if (isTrue(value) === isOr) return value;
    }
    return final === NO_FINAL ? value : final;
  }

  /** Go's checks of an argument (from `node`, or the pipeline) against a function's parameter type. */
  private convert(at: Located, node: Arg | undefined, v: unknown, param: Param): unknown {
    const converted = convertArg(node, v, param);
    if ('error' in converted) this.fail(at, converted.error);
    return converted.value;
  }
}
