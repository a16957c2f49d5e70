// Go's template error messages, which users' scripts match on: every failure
// leaves here as a UsageError that names the line (and, once executing, the
// column and the operand) the way Go's text/template does.
import { UsageError } from '../../core/errors.js';
import type { Located } from './ast.js';

/** A failure inside a built-in function: the executor reports it as "error calling NAME: ...". */
export class CallError extends Error {}

export function templateError(message: string): UsageError {
  return new UsageError(`template: ${message}`);
}

/** A parse error: Go names the line only. */
export function parseError(source: string, pos: number, message: string): UsageError {
  return templateError(`:${lineOf(source, pos)}: ${message}`);
}

/** An execution error: line, column and the operand being evaluated. */
export function executionError(source: string, at: Located, message: string): UsageError {
  const before = source.slice(0, at.pos);
  const column = at.pos - (before.lastIndexOf('\n') + 1);
  return templateError(`:${lineOf(source, at.pos)}:${column}: executing "" at <${at.text}>: ${message}`);
}

function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < pos; i = src.indexOf('\n', i + 1)) line++;
  return line;
}
