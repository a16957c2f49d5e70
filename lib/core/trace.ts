// HUSK_TRACE=1 prints when each phase of a command was reached, in
// milliseconds since the process started: the tool for start-up work.
const enabled = !!process.env.HUSK_TRACE;
if (enabled) process.on('exit', () => trace('process: exit'));

export function trace(label: string): void {
  // The global performance object: importing node:perf_hooks would cost every command a millisecond.
  if (enabled) process.stderr.write(`husk-trace ${performance.now().toFixed(1)}ms ${label}\n`);
}
