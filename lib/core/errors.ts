// Every error class husk throws, and the one place that turns errors into
// exit codes (docker's and podman's: 125 husk failed, 126 the command could
// not be invoked, 127 it was not found).

export const EXIT_HUSK_FAILED = 125;
export const EXIT_CANNOT_INVOKE = 126;
export const EXIT_NOT_FOUND = 127;
/** 128 + SIGPIPE: how a shell reports a command whose reader went away. */
export const EXIT_BROKEN_PIPE = 141;

/** A failure inside the addon or a forked child: which step, which errno, which path. */
export class NativeError extends Error {
  code?: string;
  errno?: number;
  step?: string;
  path?: string;
}

/** husk itself failed: bad input, missing object, a host problem. */
export class HuskError extends Error {
  readonly exitCode: number = EXIT_HUSK_FAILED;
}

/** A malformed flag, value or file given by the user. */
export class UsageError extends HuskError {}

/** No such container, image or file. */
export class NotFoundError extends HuskError {}

/** The request conflicts with the current state (name in use, container running). */
export class ConflictError extends HuskError {}

/** What husk wrote to its stdout (through a helper writing there itself) found no reader any more. */
export class BrokenPipeError extends HuskError {
  override readonly exitCode: number = EXIT_BROKEN_PIPE;
  constructor(what: string) {
    super(`${what}: its output was closed before the end`);
  }
}

/** The container's command could not be started (missing or not executable). */
export class ExecError extends HuskError {
  override readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A build's RUN step exited non-zero: husk build exits with its status, as podman does. */
export class StepFailedError extends HuskError {
  override readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Turns a native failure of the container's execve into 126/127. */
export function execErrorFrom(err: unknown): unknown {
  if (!(err instanceof NativeError) || err.step !== 'exec') return err;
  const program = err.path ?? 'command';
  if (err.code === 'ENOENT') {
    return new ExecError(`${program}: executable file not found in $PATH: no such file or directory`, EXIT_NOT_FOUND);
  }
  return new ExecError(`${program}: permission denied: cannot execute (${err.code ?? 'error'})`, EXIT_CANNOT_INVOKE);
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof HuskError) return err.exitCode;
  return EXIT_HUSK_FAILED;
}

/** One line for the user: no stack traces for expected failures. */
export function messageFor(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
