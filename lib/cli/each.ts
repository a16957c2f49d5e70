// Per-item reports of bulk verbs (stop, kill, rm, volume rm, ...): a success
// prints what the user named, a failure an error line, and the last failure
// sets the exit code, as docker and podman do.
import { exitCodeFor, messageFor, NotFoundError } from '../core/errors.js';
import { printOut } from './output.js';

export function printReports(reports: Array<{ name: string; error?: Error }>, exitCode: (err: Error) => number = exitCodeFor): void {
  for (const r of reports) {
    if (r.error) {
      process.stderr.write(`Error: ${messageFor(r.error)}\n`);
      process.exitCode = exitCode(r.error);
    } else {
      printOut(`${r.name}\n`);
    }
  }
}

/** --ignore (podman's, for units): a container or pod that does not exist is no error. */
export function withoutMissing<R extends { error?: Error }>(reports: R[], ignore: boolean): R[] {
  return ignore ? reports.filter((r) => !(r.error instanceof NotFoundError)) : reports;
}
