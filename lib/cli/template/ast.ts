// The parsed template: what the parser builds once and the executor walks for
// every value. Positions and source text are kept so execution errors can
// point where Go's would.

/** An operand of a command. `text` is its source, for error messages. */
export type Arg = Located & (
  | { kind: 'field'; names: string[] } // .A.B
  | { kind: 'variable'; name: string; names: string[] } // $x.A.B
  | { kind: 'chain'; node: Arg; names: string[] } // (pipeline).A.B
  | { kind: 'function'; name: string }
  | { kind: 'dot' }
  | { kind: 'nil' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'pipe'; pipe: Pipe }
);

export interface Command {
  pos: number;
  text: string;
  args: Arg[];
}

export interface Pipe {
  pos: number;
  /** Variables declared ($x := ...) or assigned ($x = ...) by the pipeline. */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

/** {{if}}, {{with}} or {{range}}: `list` when the pipeline is true (or not empty), else `elseList`. */
export interface ControlNode {
  kind: 'if' | 'with' | 'range';
  pos: number;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pos: number; pipe: Pipe }
  | ControlNode
  | { kind: 'break' | 'continue'; pos: number };

/** Where something is in the source, and its text, for error messages. */
export type Located = { pos: number; text: string };
