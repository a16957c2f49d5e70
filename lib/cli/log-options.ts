// --follow, --tail, --since and --until of logs, compose logs and pod logs,
// checked and made the engine's LogOptions.
import { UsageError } from '../core/errors.js';
import { parseLogTime, type LogOptions } from '../engine/logs.js';

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
