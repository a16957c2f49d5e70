// --follow, --tail, --since and --until of logs, compose logs and pod logs,
// checked and made the engine's LogOptions.
import { UsageError } from '../core/errors.js';
import { parseLogTime, type LogOptions, type LogRecord } from '../engine/logs.js';

export function logOptions(a: { follow?: boolean; tail?: string; since?: string; until?: string }): LogOptions {
  const tail = a.tail === undefined || a.tail === 'all' || a.tail === '-1' ? undefined : Number(a.tail);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new UsageError(`invalid --tail "${a.tail}": give a number of lines or all`);
  return {
    follow: a.follow ?? false,
    tail,
    since: a.since === undefined ? undefined : parseLogTime(a.since, '--since'),
    until: a.until === undefined ? undefined : parseLogTime(a.until, '--until'),
  };
}

/**
 * What streamLogs() hands over, written to our stdout or stderr: `label`
 * (and the record's time with `timestamps`) at the start of each line; a
 * record that ends no line is continued by the next without a label.
 */
export function logWriter(label: string, timestamps: boolean): (rec: LogRecord) => void {
  let atLineStart = true;
  return (rec) => {
    const prefix = atLineStart ? `${label}${timestamps ? `${rec.time} ` : ''}` : '';
    (rec.stream === 'stderr' ? process.stderr : process.stdout).write(prefix + rec.text);
    atLineStart = rec.text.endsWith('\n');
  };
}
