// Go's text/template (https://pkg.go.dev/text/template) for --format: the
// language docker and podman users write, parsed once into a tree and then
// executed per value, with docker's extra functions (json, join, split, lower,
// upper, title, truncate, pad).
//
// The parts live in template/: lexer.ts and parser.ts (with cursor.ts and
// literals.ts) build the tree of ast.ts; execute.ts walks it and evaluate.ts
// evaluates pipelines, with scope.ts for variables and convert.ts for Go's
// argument checks; functions.ts lists the functions, implemented in
// compare.ts, indexing.ts, escape.ts, printf.ts and extras.ts; values.ts says
// how JSON-like data stands for Go values, and fmt.ts, float.ts and quote.ts
// print them as Go's fmt does; errors.ts words every failure as Go does.
export type { Arg, Node, Pipe } from './template/ast.js';
export { parse, Template } from './template/template.js';
