// Foreground sessions without a terminal (run --sig-proxy, attach, exec):
// the signals husk gets go on to the container's process.
const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Forwards husk's signals to `pid` until the returned function is called. */
export function proxySignals(pid: number): () => void {
  const handler = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  };
  for (const s of PROXIED) process.on(s, handler);
  return () => {
    for (const s of PROXIED) process.off(s, handler);
  };
}
