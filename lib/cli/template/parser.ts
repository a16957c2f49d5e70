// Go's text/template parser, for the subset --format allows: text, actions,
// if/with/range with else and else-if, break/continue, variables, pipelines
// and parenthesized pipelines. define, template and block are refused. Names
// are checked here as Go checks them, so an unknown function or an undeclared
// variable fails before any value is printed.
import type { Arg, Command, Node, Pipe } from './ast.js';
import { TokenCursor } from './cursor.js';
import { FUNCTIONS } from './functions.js';
import type { Token, TokenType } from './lexer.js';
import { charValue, numberValue, unquote } from './literals.js';
import { goQuote } from '../../core/go-quote.js';

/** What one item gives: a node, or the {{end}} or {{else}} that closes a list. */
type Parsed = Node | { kind: 'end' } | { kind: 'else' };

const TERM_START = new Set<TokenType>(['bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

export class Parser extends TokenCursor {
  /** Variables in scope: $ and those declared so far in the enclosing controls. */
  private readonly vars = ['$'];
  private rangeDepth = 0;

  parse(): Node[] {
    const list: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.fail(`unexpected {{${n.kind}}}`);
      list.push(n);
    }
    return list;
  }

  // Lists and actions.

  private itemList(): [Node[], 'end' | 'else'] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n.kind];
      list.push(n);
    }
    this.fail('unexpected EOF');
  }

  private textOrAction(): Parsed {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { kind: 'text', text: t.value };
    if (t.type === 'left') return this.action();
    this.unexpected(t, 'input');
  }

  private action(): Parsed {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'break':
        case 'continue':
          return this.loopControl(t.value, t.pos);
        case 'else':
          return this.elseControl();
        case 'end':
          this.expect('right', 'end');
          return { kind: 'end' };
        case 'if':
        case 'with':
        case 'range':
          return this.control(t.value, t.pos);
        default:
          this.fail(`{{${t.value}}} is not supported in --format`);
      }
    }
    this.backup();
    const pos = this.peekNonSpace().pos;
    return { kind: 'action', pos, pipe: this.pipeline('command', 'right') };
  }

  private loopControl(kind: 'break' | 'continue', pos: number): Node {
    const t = this.nextNonSpace();
    if (t.type !== 'right') this.unexpected(t, `{{${kind}}}`);
    if (!this.rangeDepth) this.fail(`{{${kind}}} outside {{range}}`);
    return { kind, pos };
  }

  /** {{else if ...}} and {{else with ...}} leave the if or with for control() to read. */
  private elseControl(): Parsed {
    const t = this.peekNonSpace();
    if (!(t.type === 'keyword' && (t.value === 'if' || t.value === 'with'))) this.expect('right', 'else');
    return { kind: 'else' };
  }

  private control(kind: 'if' | 'with' | 'range', pos: number): Node {
    const scope = this.vars.length;
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (next === 'else') {
      const chained = this.peek();
      if (kind !== 'range' && chained.type === 'keyword' && chained.value === kind) {
        // {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}.
        this.next();
        elseList = [this.control(kind, chained.pos)];
      } else {
        const [tail, end] = this.itemList();
        if (end !== 'end') this.fail('expected end; found {{else}}');
        elseList = tail;
      }
    }
    this.vars.length = scope;
    return { kind, pos, pipe, list, elseList };
  }

  // Pipelines, commands, operands.

  private pipeline(context: string, end: 'right' | 'rightParen'): Pipe {
    const pipe: Pipe = { pos: this.peekNonSpace().pos, decl: [], isAssign: false, cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!TERM_START.has(t.type)) this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  /** $x := ..., $x = ..., and range's $i, $v := ... */
  private declarations(pipe: Pipe, context: string): void {
    for (;;) {
      const save = this.i;
      const v = this.nextNonSpace();
      if (v.type !== 'variable') {
        this.i = save;
        return;
      }
      const op = this.nextNonSpace();
      if (op.type === 'declare' || op.type === 'assign') {
        pipe.isAssign = op.type === 'assign';
        for (const name of [...pipe.decl, v.value]) {
          if (pipe.isAssign && !this.vars.includes(name)) this.fail(`undefined variable "${name}"`);
        }
        pipe.decl.push(v.value);
        if (!pipe.isAssign) this.vars.push(...pipe.decl);
        return;
      }
      if (!(op.type === 'char' && op.value === ',')) {
        this.i = save;
        return;
      }
      pipe.decl.push(v.value);
      if (context !== 'range' || pipe.decl.length >= 2) this.fail(`too many declarations in ${context}`);
      if (this.peekNonSpace().type !== 'variable') this.fail('range can only initialize variables');
    }
  }

  private checkPipeline(pipe: Pipe, context: string): void {
    if (!pipe.cmds.length) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0]!.kind;
      if (first === 'literal' || first === 'dot' || first === 'nil') this.fail(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  private command(): Command {
    const pos = this.peekNonSpace().pos;
    const args: Arg[] = [];
    let end = pos;
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) {
        args.push(operand);
        end = this.last!.end;
      }
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'right' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (!args.length) this.fail('empty command');
    return { pos, text: this.src.slice(pos, end), args };
  }

  private operand(): Arg | undefined {
    const term = this.term();
    if (!term || this.peek().type !== 'field') return term;
    const names: string[] = [];
    const chainPos = this.peek().pos;
    while (this.peek().type === 'field') names.push(this.next().value.slice(1));
    const text = this.src.slice(term.pos, this.last!.end);
    switch (term.kind) {
      case 'field':
      case 'variable':
        // Go places errors in .A.B at .B, where the chain starts.
        return { ...term, pos: chainPos, text, names: [...term.names, ...names] };
      case 'literal':
      case 'nil':
      case 'dot':
        return this.fail(`unexpected . after term ${goQuote(term.text)}`);
      default:
        return { kind: 'chain', pos: term.pos, text, node: term, names };
    }
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    const at = { pos: t.pos, text: t.value };
    switch (t.type) {
      case 'identifier':
        if (!Object.hasOwn(FUNCTIONS, t.value)) this.fail(`function "${t.value}" not defined`);
        return { ...at, kind: 'function', name: t.value };
      case 'dot':
        return { ...at, kind: 'dot' };
      case 'nil':
        return { ...at, kind: 'nil' };
      case 'variable':
        if (!this.vars.includes(t.value)) this.fail(`undefined variable "${t.value}"`);
        return { ...at, kind: 'variable', name: t.value, names: [] };
      case 'field':
        return { ...at, kind: 'field', names: [t.value.slice(1)] };
      case 'bool':
        return { ...at, kind: 'literal', value: t.value === 'true' };
      case 'number':
      case 'charConstant':
        return { ...at, kind: 'literal', value: this.number(t) };
      case 'string':
      case 'rawString': {
        const value = unquote(t.value);
        if (value === undefined) this.fail(`invalid syntax: ${t.value}`);
        return { ...at, kind: 'literal', value };
      }
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return { pos: t.pos, text: this.src.slice(t.pos, this.last!.end), kind: 'pipe', pipe };
      }
    }
    this.backup();
    return undefined;
  }

  private number(t: Token): number {
    const value = t.type === 'charConstant' ? charValue(t.value) : numberValue(t.value);
    if (value === undefined) this.fail(t.type === 'charConstant' ? `malformed character constant: ${t.value}` : `illegal number syntax: ${goQuote(t.value)}`);
    return value;
  }
}
