// Runs a parsed template on one value: walks the tree (text, actions, if,
// with, range, break, continue) and collects the output, printing values as
// Go's %v does.
import type { ControlNode, Located, Node, Pipe } from './ast.js';
import { Evaluator } from './evaluate.js';
import { formatValue } from './fmt.js';
import { isObject, isTrue, sortedKeys } from './values.js';

/** A {{break}} or {{continue}} on its way to the enclosing range. */
class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

export class Execution extends Evaluator {
  private readonly out: string[] = [];

  run(nodes: readonly Node[]): string {
    this.walk(this.root, nodes);
    return this.out.join('');
  }

  private walk(dot: unknown, nodes: readonly Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.out.push(node.text);
          break;
        case 'action': {
          const value = this.evalPipeline(dot, node.pipe);
          if (!node.pipe.decl.length) this.print(node.pipe.cmds[0]!, value);
          break;
        }
        case 'if':
        case 'with':
          this.walkIfOrWith(dot, node);
          break;
        case 'range':
          this.walkRange(dot, node);
          break;
        default:
          throw new LoopSignal(node.kind);
      }
    }
  }

  private print(at: Located, value: unknown): void {
    if (typeof value === 'function') this.fail(at, `can't print ${at.text} of type func`);
    this.out.push(value === undefined ? '<no value>' : formatValue(value));
  }

  private walkIfOrWith(dot: unknown, node: ControlNode): void {
    const scope = this.scope.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value)) this.walk(node.kind === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.scope.restore(scope);
    }
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const scope = this.scope.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const entries = this.rangeEntries(node, value);
      const body = this.scope.mark();
      for (const [key, elem] of entries) {
        this.setRangeVars(node.pipe, key, elem);
        try {
          this.walk(elem, node.list);
        } catch (err) {
          if (!(err instanceof LoopSignal)) throw err;
          if (err.kind === 'break') break;
        } finally {
          this.scope.restore(body);
        }
      }
      if (!entries.length && node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.scope.restore(scope);
    }
  }

  /** Arrays by index, objects in sorted key order (as Go ranges over maps), an integer n as 0..n-1. */
  private rangeEntries(node: ControlNode, value: unknown): [unknown, unknown][] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((e, i) => [i, e]);
    if (isObject(value)) return sortedKeys(value).map((k) => [k, value[k]]);
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (node.pipe.decl.length > 1) this.fail(node.pipe.cmds[0]!, `can't use ${value} to iterate over more than one variable`);
      return Array.from({ length: Math.max(value, 0) }, (_, i) => [i, i]);
    }
    this.fail(node.pipe.cmds[0]!, `range can't iterate over ${formatValue(value)}`);
  }

  /** {{range $v := ...}} sets $v to the element; {{range $i, $v := ...}} sets $i to the key too. */
  private setRangeVars(pipe: Pipe, key: unknown, elem: unknown): void {
    const [first, second] = pipe.decl;
    if (first === undefined) return;
    if (pipe.isAssign) {
      if (second === undefined) this.scope.assign(first, elem);
      else {
        this.scope.assign(first, key);
        this.scope.assign(second, elem);
      }
      return;
    }
    this.scope.overwriteLatest(second === undefined ? [elem] : [key, elem]);
  }
}
